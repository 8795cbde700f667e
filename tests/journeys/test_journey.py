"""The supporter's journey through the real Application and the fake Telegram."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.services import Services
from bot.storage import signatures as signature_store
from bot.telegram.context import BotApp
from tests.conftest import BOTH_BACKENDS, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign

pytestmark = BOTH_BACKENDS


async def db_count(svc: Services) -> tuple[int, int]:
    rows = await svc.db.scalar("SELECT COUNT(*) FROM signatures WHERE campaign = ?", (CAMPAIGN,))
    counter = await signature_store.count(svc.db, CAMPAIGN)
    return rows, counter


async def test_start_without_payload_lists_open_campaigns(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    [msg] = await u.start()
    assert "Choose a campaign" in msg.text
    assert len(msg.buttons) == 2
    await u.press("Doctors and family")
    assert "Read the full text" in str(u.last.buttons)


async def test_card_shows_title_summary_progress_and_buttons(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    [card] = await u.start(CAMPAIGN)
    assert card.text.startswith("Doctors and family visits")
    assert "0 signatures · next goal 500" in card.text
    labels = [label for row in card.buttons for label in row]
    for wanted in ("Read the full text", "Sign", "Decision makers", "Share", "Language"):
        assert any(wanted in label for label in labels), labels


async def test_malformed_and_unknown_payloads_fall_back_politely(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    for payload in ("no-such-campaign", "bad$payload", "x" * 64):
        [msg] = await u.start(payload)  # one message, which claims nothing about the link
        assert "I don't know that link" in msg.text and "not valid any more" not in msg.text
        assert len(msg.buttons) == 2


async def test_full_text_pages_edit_in_place(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    card_id = u.last.message_id
    await u.press("Read the full text")
    assert u.last.message_id == card_id  # edited, not a new message
    first = u.last.text
    assert "Page 1 / " in first
    pages = int(first.rsplit("Page 1 / ", 1)[1].split()[0])
    assert pages >= 2
    seen = [first]
    for n in range(2, pages + 1):
        await u.press("›")
        assert f"Page {n} / {pages}" in u.last.text
        seen.append(u.last.text)
    assert "›" not in str(u.last.buttons)
    await u.press("‹")
    assert f"Page {pages - 1} / {pages}" in u.last.text
    assert len(u.messages) == 1


async def test_decision_makers_listed(make_user: Callable[..., FakeUser]) -> None:
    u = make_user(language_code="ru")
    await u.start(CAMPAIGN)
    await u.press("🏛 Адресаты")
    assert "1. " in u.last.text and "15. " in u.last.text
    [msg] = await u.send("/addressees")
    assert "15. " in msg.text


async def test_sign_happy_path_with_privacy_summary_preview_and_thanks(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user(first_name="Alice", last_name="Smith")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    assert "a code computed from it with a secret key" in u.last.text and "/withdraw" in u.last.text
    assert "Privacy in full" in str(u.last.buttons)
    await u.press("Privacy in full")
    assert "Your privacy" in u.last.text
    await u.press("Back")
    await u.press("Use “Alice Smith”")
    await u.press("Add role and organisation")
    await u.send("Teacher\nFree Schools Network")
    preview = u.last.text
    assert "Name: \u2068Alice Smith\u2069" in preview
    assert "Role: \u2068Teacher\u2069" in preview
    assert "Organisation: \u2068Free Schools Network\u2069" in preview
    assert "stored and handed to the organisers" in preview  # true either way
    assert await db_count(svc) == (0, 0)  # nothing recorded before a sign button
    await u.press("Sign with my name")
    assert "Thank you! Your signature is recorded." in u.last.text
    assert "1 signature · next goal 500" in u.last.text
    assert "+1 in the last 24 hours" in u.last.text
    assert await db_count(svc) == (1, 1)
    assert await svc.db.scalar("SELECT public FROM signatures") == 1


async def test_three_interactions_after_the_card_and_six_calls(
    make_user: Callable[..., FakeUser], svc: Services, tg: FakeTelegram
) -> None:
    u = make_user(first_name="Jan")
    [_card] = await u.start(CAMPAIGN)
    before = len(tg.calls)
    await u.press("Sign")  # 1
    await u.send("Jan Kowalski")  # 2
    await u.press("Sign, don't show my name")  # 3
    calls = [c.method for c in tg.calls[before:]]
    assert len(calls) <= 6, calls
    assert calls.count("answerCallbackQuery") == 2 and "deleteMessage" in calls
    assert len(u.messages) <= 1 + 2  # the card, and at most two new messages
    assert "Thank you" in u.last.text
    assert await svc.db.fetchone("SELECT name, public FROM signatures") == ("Jan Kowalski", 0)


async def test_three_lines_fill_name_role_and_organisation(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Dr. Hanna Li\nHead of Dept., University X\nFree Schools Network")
    preview = u.last.text
    assert "Name: \u2068Dr. Hanna Li\u2069" in preview
    assert "Role: \u2068Head of Dept., University X\u2069" in preview  # no split at commas
    assert "Organisation: \u2068Free Schools Network\u2069" in preview
    await u.press("Change role and organisation")
    await u.send("-\nRed Cross")
    assert "Role: —" in u.last.text and "Organisation: \u2068Red Cross\u2069" in u.last.text
    await u.press("Sign with my name")
    row = await svc.db.fetchone("SELECT name, role, organisation FROM signatures")
    assert row == ("Dr. Hanna Li", None, "Red Cross")


async def test_the_typed_name_does_not_stay_in_the_chat(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    u = make_user()
    await sign(u, name="Secret Person", role="Judge", org="Court Nine")
    texts = [m.text for m in u.all_messages]
    assert not any("Secret Person" in t or "Court Nine" in t for t in texts), texts


async def test_privacy_summary_every_time_nothing_remembered(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """Remembering who saw the notice would itself record that they opened a campaign."""
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    assert "a code computed from it with a secret key" in u.last.text
    await u.press("Cancel")
    assert "Nothing was recorded" in u.last.text
    await u.start(CAMPAIGN)
    await u.press("Sign")
    assert "a code computed from it with a secret key" in u.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM preferences") == 0
    [notice] = await u.send("/privacy")
    assert "Your privacy" in notice.text


async def test_every_rejection_explains_the_rule_and_asks_again(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user(first_name="🙂")  # a profile name that is not a valid signature name
    await u.start(CAMPAIGN)
    await u.press("Sign")
    assert "Use “" not in str(u.last.buttons)
    cases = [
        ("A", "at least 2 characters"),
        ("x" * 81, "81 characters long; the limit is 80"),
        ("12345", "at least one letter"),
        ("\u202e\u200b", "empty once invisible characters"),
        ("go to https://evil.example", "Links are not allowed"),
        ("@spammer", "@mentions are not allowed"),
        ("Ann Lee\n" + "r" * 121, "121 characters long; the limit is 120"),
    ]
    for text, rule in cases:
        await u.send(text)
        assert rule in u.last.text, (text, u.last.text)
        assert "Your name" in u.last.text  # asked again
    await u.send_sticker()
    assert "Please send text" in u.last.text
    await u.send("<b>Bob</b> & \u202eevil")
    assert "Name: \u2068<b>Bob</b> & evil\u2069" in u.last.text  # shown literally, no bidi
    await u.press("Sign, don't show my name")
    assert await db_count(svc) == (1, 1)
    name = await svc.db.scalar("SELECT name FROM signatures")
    assert name == "<b>Bob</b> & evil"


async def test_a_forwarded_message_is_not_taken_as_the_name(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    origin = {"type": "hidden_user", "sender_user_name": "Someone Else", "date": 1790000000}
    await u.send("Someone Else", forward_origin=origin)
    assert "forwarded messages are not used" in u.last.text
    assert "Your name" in u.last.text
    assert await svc.db.scalar("SELECT name FROM drafts") is None


async def test_one_signature_per_person_and_second_attempt_shows_date(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await sign(u, name="Maria Nowak")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    assert "Signed: " in u.last.text
    assert "Edit" in str(u.last.buttons) and "Withdraw" in str(u.last.buttons)
    assert await db_count(svc) == (1, 1)


async def test_double_tapped_sign_gives_one_row_and_one_thanks(
    make_user: Callable[..., FakeUser], svc: Services, tg: FakeTelegram
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Olga Petrova")
    await u.double_tap("Sign with my name")
    thanks = [m for m in u.all_messages if "Thank you" in m.text]
    assert len(thanks) == 1
    assert await db_count(svc) == (1, 1)
    # One of the two taps is told (which one finishes last depends on the machine's load).
    said = [a.get("text", "") for a in u.answers[-2:]]
    assert sum("already recorded" in text for text in said) == 1, said


async def test_an_old_sign_button_after_cancel_or_withdraw_says_the_truth(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Vera Stale")
    preview = u.last
    await u.send("/cancel")
    await u.press("Sign with my name", message=preview)
    said = (u.last_answer or {}).get("text", "")
    assert "no longer open" in said and "already recorded" not in said
    await sign(u, name="Vera Stale")
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    await u.press("Sign with my name", message=preview)
    said = (u.last_answer or {}).get("text", "")
    assert "no longer open" in said and "already recorded" not in said
    assert await db_count(svc) == (0, 0)


async def test_redelivered_updates_are_harmless(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Ivan Ivanov")
    await u.redeliver()  # the typed name again: changes nothing
    assert "Role: —" in u.last.text
    await u.press("Sign with my name")
    await u.redeliver()
    assert await db_count(svc) == (1, 1)
    assert sum("Thank you" in m.text for m in u.all_messages) == 1


async def test_restart_mid_flow_loses_nothing(
    settings: object, tg: FakeTelegram, app: BotApp, clock: Clock
) -> None:
    u = tg.user(app, first_name="Lena")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Lena Sokolova\nEngineer")
    await stop_app(app)
    fresh = await start_app(app.runtime.services.settings, tg, clock)
    try:
        u.app = fresh
        assert "Role: \u2068Engineer\u2069" in u.last.text
        await u.press("Sign with my name")
        assert "Thank you" in u.last.text
    finally:
        await stop_app(fresh)


async def test_cancel_command_and_stale_drafts_expire(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    [reply] = await u.send("/cancel")
    assert "nothing to cancel" in reply.text
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Pavel Novik")
    [reply] = await u.send("/cancel")
    assert "Nothing was recorded" in reply.text
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Pavel Novik")
    clock.advance(25 * 3600)
    [reply] = await u.send("Dentist")  # the draft expired: no longer in a flow
    assert "send /start" in reply.text
    from bot.telegram import jobs

    class Ctx:
        pass

    ctx = Ctx()
    ctx.svc = svc  # type: ignore[attr-defined]
    await jobs.expire_drafts(ctx)  # type: ignore[arg-type]
    assert await svc.db.scalar("SELECT COUNT(*) FROM drafts") == 0


async def test_commands_and_stray_input_mid_flow(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    [reply] = await u.send("/progress")
    assert "0 signatures" in reply.text
    [reply] = await u.send("/frobnicate")
    assert "I don't know that command" in reply.text
    await u.send_photo()
    assert "Please send text" in u.last.text
    await u.send_contact()
    assert "Your name" in u.last.text
    await u.send("Still Me")
    assert "Check your signature" in u.last.text


async def test_a_name_typed_before_sign_gets_the_way_to_sign(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    [reply] = await u.send("Early Bird")
    assert "press ✍️ Sign" in reply.text and "/start" not in reply.text


async def test_edit_existing_signature(make_user: Callable[..., FakeUser], svc: Services) -> None:
    u = make_user()
    await sign(u, name="Old Name", role="Nurse")
    [msg] = await u.send("/mysignature")
    assert "Old Name" in msg.text and "Nurse" in msg.text
    await u.press("Edit")
    await u.press("Keep “Old Name”")
    await u.press("Change role and organisation")
    await u.send("-\nRed Cross volunteers")
    await u.press("Save, don't show my name")
    assert "Your signature has been updated." in u.last.text
    row = await svc.db.fetchone("SELECT name, role, organisation, public FROM signatures")
    assert row == ("Old Name", None, "Red Cross volunteers", 0)
    assert (await db_count(svc)) == (1, 1)


async def test_withdraw_erases_and_count_goes_down(
    make_user: Callable[..., FakeUser], svc: Services, backend: str
) -> None:
    a, b = make_user(), make_user()
    await sign(a, name="Anna A")
    await sign(b, name="Boris B")
    assert await db_count(svc) == (2, 2)
    [question] = await a.send("/withdraw")
    assert "erased" in question.text
    await a.press("No, keep it")
    assert await db_count(svc) == (2, 2)
    await a.send("/withdraw")
    await a.press("Yes, withdraw")
    # PostgreSQL's log, replicas and backups keep deleted rows: the message says so there.
    said = "copies can remain" if backend == "postgres" else "withdrawn and erased"
    assert said in a.last.text.replace("Copies", "copies")
    assert "1 signature" in a.last.text
    assert await db_count(svc) == (1, 1)
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures WHERE name = 'Anna A'") == 0
    [reply] = await a.send("/withdraw")
    assert "no signature to withdraw" in reply.text
    await a.start(CAMPAIGN)  # may sign again after withdrawing
    await a.press("Sign")
    assert "Your name" in a.last.text


async def test_notify_opt_in_stores_id_and_opt_out_erases_it(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await sign(u, name="Nina N")
    await u.press("Notify me about this campaign")
    [(sealed, clear)] = await svc.db.fetchall("SELECT chat, chat_id FROM subscriptions")
    assert clear is None and svc.ids.unseal_chat(sealed) == u.id  # kept sealed, by consent
    assert "Stop updates" in str(u.last.buttons)
    await u.press("Stop updates")
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    await u.press("Notify me about this campaign")
    [reply] = await u.send("/stop")
    assert "no more updates" in reply.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0


async def test_closed_campaign_shows_final_count_and_refuses(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    from dataclasses import replace

    from bot.domain.campaigns import CampaignSet

    u = make_user()
    await u.start(CAMPAIGN)
    sign_message = u.last
    closed = [replace(c, is_open=False) if c.slug == CAMPAIGN else c for c in svc.campaigns.all()]
    svc.campaigns = CampaignSet(closed)
    [card] = await u.start(CAMPAIGN)
    assert "Signing is closed. Final count: 0 signatures." in card.text
    assert "Sign" not in [label.split(" ", 1)[-1] for row in card.buttons for label in row]
    await u.press("Sign", message=sign_message)  # an old button
    assert "closed" in (u.last_answer or {}).get("text", "")


async def test_progress_counts_and_recent(make_user: Callable[..., FakeUser], clock: Clock) -> None:
    for i in range(3):
        await sign(make_user(), name=f"Person {chr(65 + i)}")
    clock.advance(30 * 3600)
    await sign(make_user(), name="Late Person")
    u = make_user()
    msg, other = await u.send("/progress")  # no campaign opened yet: every open one
    assert "0 signatures" in other.text
    assert "4 signatures · next goal 500" in msg.text
    assert "+1 in the last 24 hours" in msg.text


async def test_recent_count_is_net_of_withdrawals(make_user: Callable[..., FakeUser]) -> None:
    quitter = make_user()
    await sign(quitter, name="Quick Quitter")
    await quitter.send("/withdraw")
    await quitter.press("Yes, withdraw")
    stayer = make_user()
    await sign(stayer, name="Steady Stayer")
    assert "1 signature · next goal 500" in stayer.last.text
    assert "+1 in the last 24 hours" in stayer.last.text


async def test_a_nameless_signature_is_counted_and_never_listed(
    make_user: Callable[..., FakeUser], svc: Services, admin: FakeUser
) -> None:
    from dataclasses import replace

    from bot.domain.campaigns import CampaignSet

    svc.campaigns = CampaignSet(
        replace(c, nameless=True) if c.slug == CAMPAIGN else c for c in svc.campaigns.all()
    )
    u = make_user(first_name="Quiet")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.press("Count me without a name")
    assert "Thank you" in u.last.text
    assert await svc.db.fetchone("SELECT name, role, public FROM signatures") == (None, None, 0)
    await sign(make_user(), name="Named Person")
    assert await db_count(svc) == (2, 2)
    await admin.send(f"/export {CAMPAIGN} csv")
    assert admin.last.document is not None
    data, _ = admin.last.document
    rows = data.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 2 and "Named Person" in rows[1]  # the header and the named one
