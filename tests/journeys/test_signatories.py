"""The public signatory list: who appears, where, in which order, and the organisers' review."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from bot.core.services import Services
from bot.domain.signatories import Listing, Place, Review
from bot.storage import signatories as store
from tests.support.faketg import BOT_USERNAME, FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import (
    CAMPAIGN,
    configure,
    edit_signature,
    press_action,
    sign,
    without_review,
)

FSI, PDI = "\u2068", "\u2069"


def plain(user: FakeUser) -> str:
    """The newest message's text as a reader sees it (the isolates are invisible)."""
    return user.last.text.replace(FSI, "").replace(PDI, "")


@pytest.fixture(autouse=True)
def _listed_without_review(svc: Services) -> None:
    """Most tests here are about what is listed where; those about review turn it on."""
    without_review(svc)


async def _three(make_user: Callable[..., FakeUser]) -> None:
    await sign(make_user(first_name="A"), "Alina Public", role="Doctor", org="City Hospital")
    await sign(make_user(first_name="S"), "Secret Signer", role="Judge", public=False)
    await sign(make_user(first_name="B"), "Богдан Публичный", org="Правозащитный центр")


async def _pdf_text(admin: FakeUser) -> str:
    await admin.send(f"/export {CAMPAIGN} pdf")
    document = admin.last.document
    assert document is not None, admin.last.text
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document[0])).pages)


async def test_a_supporter_reads_the_public_names_never_the_anonymous_one(
    make_user: Callable[..., FakeUser],
) -> None:
    await _three(make_user)
    reader = make_user(first_name="Reader", language_code="pl")
    await reader.command("signatories", CAMPAIGN)
    listed = plain(reader)
    assert "Alina Public — Doctor, City Hospital" in listed
    assert "Богдан Публичный — Правозащитный центр" in listed
    assert listed.index("Alina Public") < listed.index("Богдан Публичный")  # signing order
    assert "Secret" not in listed and "Judge" not in listed
    assert "1. " in listed and "2. " in listed and "3. " not in listed
    assert "podpis" in listed  # the frame is in the reader's language (Polish)
    # The same list from the card's button, edited into the card's message.
    await reader.start(CAMPAIGN)
    await press_action(reader, f"who|{CAMPAIGN}|0")
    assert plain(reader) == listed
    assert all(not m.text or "Secret Signer" not in m.text for m in reader.all_messages)
    # The sign button's preview says where a public name goes.
    signer = make_user(first_name="New")
    await signer.start(CAMPAIGN)
    await press_action(signer, "sign|")
    await signer.send("New Person")
    assert "list of signatories" in signer.last.text and "addressees" in signer.last.text


async def test_names_are_escaped_and_isolated_for_right_to_left_text(
    make_user: Callable[..., FakeUser],
) -> None:
    await sign(make_user(first_name="M"), "محمد <b>علي</b>", role="مهندس")
    reader = make_user(first_name="R")
    await reader.command("signatories", CAMPAIGN)
    html = reader.last.html
    assert f"1. {FSI}محمد &lt;b&gt;علي&lt;/b&gt;{PDI} — {FSI}مهندس{PDI}" in html
    assert "<b>علي</b>" not in html


async def test_review_holds_a_name_until_approved_and_hiding_keeps_the_count(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, review_public_names=True)
    await _three(make_user)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Alina" not in plain(reader) and "No public name is listed yet." in plain(reader)
    assert "2 more public names wait for an organiser's check" in plain(reader)
    assert "and 1 more who signed without a public name" in plain(reader)
    assert "Alina" not in await _pdf_text(admin)
    await admin.command("review", CAMPAIGN)
    queue = admin.last
    assert "#1 Alina Public" in plain(admin) and "Secret" not in queue.text
    await admin.press("Approve these 2 names", queue)
    assert "2 names approved" in admin.last.text
    assert "No names are waiting for review" in admin.last.text
    await reader.command("signatories", CAMPAIGN)
    assert "Alina Public" in plain(reader) and "Богдан" in plain(reader)
    assert "Alina Public" in await _pdf_text(admin)
    # Hidden later: gone from the list and the PDF, while the count stays 3.
    await admin.command("hide", "1")
    assert "#1 is hidden" in admin.last.text
    await reader.command("signatories", CAMPAIGN)
    assert "Alina" not in plain(reader) and "Богдан" in plain(reader)
    assert "and 2 more" in plain(reader)
    pdf = await _pdf_text(admin)
    assert "Alina" not in pdf and "Богдан" in pdf
    await reader.start(CAMPAIGN)
    assert "3 signatures" in plain(reader)


async def test_an_edited_name_goes_back_to_the_queue_and_a_stale_batch_approves_nothing(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, review_public_names=True)
    alina = make_user(first_name="A")
    await sign(alina, "Alina Public")
    await admin.command("review", CAMPAIGN)
    await admin.press("Approve 1 name")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Alina Public" in plain(reader)
    # She edits her name: it leaves the list until it is looked at again.
    await edit_signature(alina, "Alina Renamed")
    await reader.command("signatories", CAMPAIGN)
    assert "Alina" not in plain(reader)
    await admin.command("review", CAMPAIGN)
    screen = admin.last
    assert "Alina Renamed" in screen.text.replace(FSI, "").replace(PDI, "")
    # The name changes again after the screen was shown: its button approves nothing.
    await edit_signature(alina, "Something Else Entirely")
    await admin.press("Approve 1 name", screen)
    assert "nothing was approved" in admin.last.text
    assert "Something Else Entirely" in plain(admin)
    await reader.command("signatories", CAMPAIGN)
    assert "Something Else" not in plain(reader)
    # Hidden from the queue with its button: out of the queue, still counted.
    await admin.press("🙈 #1", admin.last)
    assert "#1 is hidden" in admin.last.text and "Something Else" not in admin.last.text
    assert (await svc.progress(svc.campaigns.get(CAMPAIGN))).count == 1  # type: ignore[arg-type]


async def test_signatures_from_before_the_list_need_the_organisers_switch(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="E"), "Early Bird", org="Old Union")
    # As the migration leaves a signature made before the list existed:
    await svc.db.execute("UPDATE signatures SET list_consent = 0")
    await sign(make_user(first_name="L"), "Late Comer")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Early Bird" not in plain(reader) and "Late Comer" in plain(reader)
    assert "and 1 more" in plain(reader)
    assert "Early Bird" in await _pdf_text(admin)  # they agreed to the documents
    configure(svc, list_earlier_signatures=True)
    await reader.command("signatories", CAMPAIGN)
    assert "1. " + "Early Bird — Old Union" in plain(reader)
    assert "2. Late Comer" in plain(reader)


async def test_a_campaign_can_switch_the_list_off(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, signatories=False)
    await sign(make_user(first_name="A"), "Alina Public")
    reader = make_user(first_name="Reader")
    await reader.start(CAMPAIGN)
    assert not any(d.startswith("1|who|") for d in reader.last.callback_data.values())
    await reader.command("signatories", CAMPAIGN)
    assert "do not publish a list of signatories" in plain(reader)
    assert "Alina" not in plain(reader)
    signer = make_user(first_name="New")
    await signer.start(CAMPAIGN)
    await press_action(signer, "sign|")
    await signer.send("New Person")
    assert "shows no list of signatories" in signer.last.text


async def test_long_lists_page_within_telegram_limits_in_both_directions(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    for i in range(45):
        role = "Professor of Comparative Constitutional Law and Human Rights " + "x" * 55
        org = "Institute for the Study of Democratic Transitions in Eastern Europe " + "y" * 50
        await sign(make_user(first_name=f"P{i}"), f"Person Number{i:02d}", role=role, org=org)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    pages = [plain(reader)]
    while any(d.startswith("1|who|") for d in reader.last.callback_data.values()):
        await press_action(reader, "who|")
        pages.append(plain(reader))
    assert len(pages) > 2
    seen = [line for page in pages for line in page.splitlines() if "Person Number" in line]
    assert [line.split(".")[0] for line in seen] == [str(i) for i in range(1, 46)]
    assert all(len(page.encode("utf-16-le")) // 2 <= 4096 for page in pages)
    assert "Names 1–" in pages[0] and "of 45" in pages[-1]
    # Back again, page by page, to the same first page.
    for expected in reversed(pages[:-1]):
        await press_action(reader, "whob|")
        assert plain(reader) == expected


async def test_in_a_group_only_a_button_to_the_private_chat_is_posted(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    await sign(make_user(first_name="A"), "Alina Public")
    member = make_user(first_name="Member")
    group = tg.group("Diaspora chat")
    await member.add_bot_to(group)
    [card] = await member.command("signatories", CAMPAIGN, chat=group)
    assert "Alina" not in card.text
    [url] = card.button_urls.values()
    assert url == f"https://t.me/{BOT_USERNAME}?start={CAMPAIGN}__list"
    assert not card.callback_data
    await member.start(f"{CAMPAIGN}__list")
    assert "Alina Public" in plain(member)
    # The group card and the inline card carry the same button, never a name.
    [card] = await member.command("petition", CAMPAIGN, chat=group)
    assert url in card.button_urls.values() and "Alina" not in card.text
    [inline] = [r for r in await member.inline_query("") if r["id"] == CAMPAIGN]
    buttons = [b["url"] for row in inline["reply_markup"]["inline_keyboard"] for b in row]
    assert url in buttons


async def test_the_storage_rule_is_the_domain_rule(svc: Services) -> None:
    """Every combination of the switches and a signature's state (a held look-alike too, and
    consent to the bot's list and to the web apart): SQL agrees with Listing."""
    states = list(itertools.product([0, 1], list(Review), [0, 1], [0, 1], [0, 1]))
    async with svc.db.transaction() as conn:
        for i, (public, review, consent, lookalike, web) in enumerate(states):
            await conn.execute(
                "INSERT INTO signatures (campaign, signer, name, public, language, signed_at,"
                " review, list_consent, lookalike, web_consent)"
                " VALUES ('rule', ?, ?, ?, 'en', 0, ?, ?, ?, ?)",
                (f"s{i}", f"Name {i}", public, review.value, consent, lookalike, web),
            )
    for in_bot, reviewed, earlier, on_web, web_earlier in itertools.product(
        [False, True], repeat=5
    ):
        listing = Listing(in_bot, reviewed, earlier, on_web, web_earlier)
        for place in Place:
            expected = sum(
                listing.shows(place, bool(p), r, bool(w if place is Place.WEB else c), bool(a))
                for p, r, c, a, w in states
            )
            assert await store.count(svc.db, "rule", listing, place) == expected, (
                listing,
                place,
            )


async def test_a_signer_is_told_where_their_name_appears(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, review_public_names=True)
    alina = make_user(first_name="A")
    await sign(alina, "Alina Public")
    await alina.command("mysignature")
    assert "Shown publicly: yes, once an organiser has checked it" in plain(alina)
    await admin.command("review", CAMPAIGN)
    await admin.press("Approve 1 name")
    await alina.command("mysignature")
    assert "in this bot's list of signatories and the documents" in plain(alina)
    await admin.command("hide", "1")
    await alina.command("mydata")
    assert "the organisers took your name out of the public list; it still counts" in plain(alina)
    quiet = make_user(first_name="Q")
    await sign(quiet, "Quiet One", public=False)
    await quiet.command("mysignature")
    assert "Shown publicly: no, you are only counted" in plain(quiet)


async def test_a_hidden_name_stays_hidden_whatever_its_signer_edits(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    troll = make_user(first_name="T")
    await sign(troll, "Real Dissident", role="Journalist")
    await admin.command("hide", "1")
    await edit_signature(troll, "Real Dissident\nJournalist, Minsk")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Dissident" not in plain(reader)
    assert "Dissident" not in await _pdf_text(admin)
    # /unhide brings back only a hidden name, and never approves one nobody looked at.
    configure(svc, review_public_names=True)
    await sign(make_user(first_name="W"), "Waiting Person")
    await admin.command("unhide", "2")
    assert "#2 is not hidden: nothing was changed" in admin.last.text
    await reader.command("signatories", CAMPAIGN)
    assert "Waiting Person" not in plain(reader)


async def test_no_list_consent_is_recorded_while_the_campaign_had_no_list(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, signatories=False)
    await sign(make_user(first_name="N"), "Told No List")
    configure(svc, signatories=True)
    await sign(make_user(first_name="Y"), "Told There Is One")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Told No List" not in plain(reader) and "1. Told There Is One" in plain(reader)


async def test_the_review_queue_fits_a_message_with_the_longest_names(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, tg: FakeTelegram
) -> None:
    configure(svc, review_public_names=True)
    wide = "𠀀" * 79  # letters outside the BMP count twice in Telegram's limit
    for i in range(10):
        await sign(make_user(first_name=f"W{i}"), f"{wide}{i}", role="𠀁" * 118, org="𠀂" * 118)
    await admin.command("review", CAMPAIGN)
    assert all(call.ok for call in tg.calls_to("sendMessage", chat_id=admin.id))
    shown = plain(admin).count(wide)
    assert 1 <= shown < 10
    await admin.press(f"Approve these {shown} names")
    assert f"{shown} names approved" in admin.last.text


async def test_paging_buttons_carry_positions_never_signature_numbers(
    make_user: Callable[..., FakeUser],
) -> None:
    for i in range(60):
        public = i % 3 == 0  # two anonymous signatures between public ones
        org = "Institute for the Study of Democratic Transitions " + "y" * 65
        role = "Professor of Comparative Constitutional Law " + "x" * 70
        await sign(make_user(first_name=f"P{i}"), f"Person N{i:02d}", role, org, public=public)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    shown = plain(reader).count("Person N")
    [data] = [d for d in reader.last.callback_data.values() if d.startswith("1|who|")]
    assert data == f"1|who|{CAMPAIGN}|{shown}"  # the position, not the number (3 × shown - 2)


async def test_unhiding_a_name_edited_while_hidden_sends_it_to_review(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, review_public_names=True)
    troll = make_user(first_name="T")
    await sign(troll, "Harmless Name")
    await admin.command("hide", "1")
    await edit_signature(troll, "Real Dissident\nJournalist, Minsk")
    await admin.command("unhide", "1")
    assert "#1 is no longer hidden" in admin.last.text
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Dissident" not in plain(reader)
    await admin.command("review", CAMPAIGN)
    assert "#1 Real Dissident — Journalist, Minsk" in plain(admin)  # seen before it shows


async def test_a_sign_button_records_only_under_what_its_preview_said(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    configure(svc, signatories=False)
    signer = make_user(first_name="N")
    await signer.start(CAMPAIGN)
    await press_action(signer, "sign|")
    await signer.send("Told No List")
    assert "shows no list of signatories" in signer.last.text
    configure(svc, signatories=True)  # an organiser reloads before the press
    await press_action(signer, f"ok|{CAMPAIGN}|1")
    assert "has changed while you were deciding" in signer.last.text
    assert "anyone can read it in this bot's list" in signer.last.text
    assert (await svc.progress(svc.campaigns.get(CAMPAIGN))).count == 0  # type: ignore[arg-type]
    await press_action(signer, f"ok|{CAMPAIGN}|1")  # the new preview's button
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "1. Told No List" in plain(reader)


async def test_forged_paging_and_numbers_are_harmless(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    for i in range(50):
        await sign(make_user(first_name=f"P{i}"), f"Person N{i:02d}")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    first = plain(reader)
    await reader.press_data(f"1|whob|{CAMPAIGN}|0", reader.last)
    assert plain(reader) == first  # the first page, never the whole list at once
    await admin.command("hide", "²")
    assert "Usage: /hide <number>" in admin.last.text


async def test_a_new_public_signer_is_never_counted_as_without_a_public_name(
    make_user: Callable[..., FakeUser],
) -> None:
    await sign(make_user(first_name="A"), "Alina Public")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)  # the totals are now reused for 30 s
    await sign(make_user(first_name="B"), "Bogdan Public")
    await reader.command("signatories", CAMPAIGN)
    assert "2. Bogdan Public" in plain(reader) and "2 names" in plain(reader)
    assert "without a public name" not in plain(reader)


async def test_in_a_group_with_two_campaigns_each_list_has_its_button(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    member = make_user(first_name="Member")
    group = tg.group("Diaspora chat")
    await member.add_bot_to(group)
    [post] = await member.command("signatories", chat=group)
    assert sorted(post.button_urls.values()) == [
        f"https://t.me/{BOT_USERNAME}?start={slug}__list"
        for slug in ("medical-access", "open-doors-letter")
    ]
