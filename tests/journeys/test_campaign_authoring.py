"""Creating and changing campaigns from Telegram: bad input refused whole with what to fix,
stale and double taps that change nothing, Abandon at any step, four eyes on Publish and on a
switch that widens who sees names, and a folder's campaign that is edited on the server only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core import catalogue
from bot.core.services import Services
from bot.telegram.context import BotApp
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

TEXT = (
    "Safe routes to school\n"
    "We ask the city to make every route to school safe.\n\n"
    "Children walk to school every day.\n\nThe city can fix the crossings this year.\n"
)


async def _to_texts(admin: FakeUser) -> None:
    await admin.command("newcampaign")
    await admin.press("Open letter")
    await admin.press("English")
    await admin.send("-")
    await admin.send("-")


async def _to_preview(admin: FakeUser) -> None:
    await _to_texts(admin)
    await admin.send_document(TEXT.encode(), "letter.txt")
    await admin.press("➡️ Continue")
    await admin.press("➡️ Skip")
    await admin.press("✅ safe-routes-to-school")
    await admin.press("➡️ Continue")


async def test_bad_input_is_refused_whole_with_what_to_fix(admin: FakeUser, svc: Services) -> None:
    await admin.command("newcampaign")
    await admin.press("Petition")
    await admin.press("English")
    await admin.send("1000 500")
    assert "Goals must be whole numbers in increasing order" in admin.last.text
    await admin.send("500 1000")
    await admin.send("-")
    refusals = {
        ("report.pdf", b"%PDF-1.4"): "Send the text as a .md or .txt document.",
        ("de.md", TEXT.encode()): "“de” is not one of the bot's languages",
        ("en.md", b"\xff\xfe not utf-8"): "not UTF-8 text",
        ("en.md", b'+++\ntitle = "unclosed\n+++\nText\n'): "cannot be read",
        ("en.md", ('+++\ntitle = "' + "T" * 121 + '"\nsummary = "s"\n+++\nText\n').encode()): (
            "The title must be 1-120 characters."
        ),
        ("en.md", b"# Heading\n\nSummary.\n\nText.\n"): "would show its markup characters",
        ("en.md", b"Only a title\n"): "Plain text needs the title on the first line",
        ("en.md", b"x" * (600 * 1024)): "larger than 512 kB",
    }
    for (name, data), needle in refusals.items():
        await admin.send_document(data, name)
        assert needle in admin.last.text, (name, admin.last.text)
        draft = await svc.db.fetchone("SELECT data FROM campaign_drafts")
        assert draft is not None and '"texts": {}' in str(draft[0])  # nothing half-taken
    await admin.send_document(TEXT.encode(), "en.txt")
    await admin.press("➡️ Continue")
    await admin.send("x" * 401)
    assert "at most 400 characters" in admin.last.text
    await admin.press("➡️ Skip")
    await admin.send("Medical-Access!")
    assert "cannot be a link name" in admin.last.text
    await admin.send(CAMPAIGN)
    assert f"“{CAMPAIGN}” is taken by another campaign." in admin.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM campaigns") == 0


async def test_a_double_tap_moves_once_and_abandon_ends_it_at_any_step(
    admin: FakeUser, svc: Services
) -> None:
    await admin.command("newcampaign")
    question = admin.last
    await admin.double_tap("Petition", question)
    assert [m.text for m in admin.messages].count(
        "Its default language: readers whose language has no text are shown this one."
    ) == 1
    await admin.press("Open letter", question)  # a button of a step already passed
    assert "belongs to a step already passed" in admin.last.text
    await admin.press("✖️ Abandon")
    assert "abandoned; nothing was published" in admin.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM campaign_drafts") == 0
    await admin.command("newcampaign")  # a new one starts at the first step
    assert admin.last.text == "A new campaign. What is it?"


async def test_with_two_admins_publishing_waits_for_the_second(
    admin: FakeUser, tg: FakeTelegram, app: BotApp, svc: Services
) -> None:
    second = tg.user(app, first_name="Bea", language_code="en")
    second.chat.started = admin.chat.started = True
    svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id, second.id}))
    await _to_preview(admin)
    await admin.press("🚀 Publish")
    assert "Waiting for another admin to publish it." in admin.last.text
    assert svc.campaign("safe-routes-to-school") is None
    assert not any("asks to publish" in m.text for m in admin.messages)
    request = next(m for m in second.messages if "asks to publish" in m.text)
    await admin.press_data(request.callback_data["🚀 Publish"], admin.messages[-1])
    assert "nobody approves their own request" in admin.last.text
    assert svc.campaign("safe-routes-to-school") is None
    await second.press("🚀 Publish", request)
    assert "The campaign is live" in second.last.text
    live = svc.campaign("safe-routes-to-school")
    assert live is not None and live.kind == "letter"


async def test_a_folder_campaign_is_edited_on_the_server_only(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await admin.send_document(TEXT.encode(), "uk.txt", CAMPAIGN)
    assert "edited in its folder on the server (medical-access)" in admin.last.text
    await admin.send(f"/campaign close {CAMPAIGN}")
    assert "edited in its folder on the server" in admin.last.text
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None and campaign.is_open
    await admin.command("campaigns")
    assert "medical-access: folder medical-access, open; missing languages: —" in admin.last.text
    outsider = make_user(first_name="Olga")  # neither admin nor translator
    await outsider.send_document(TEXT.encode(), "uk.txt", CAMPAIGN)
    assert await svc.db.scalar("SELECT COUNT(*) FROM campaign_drafts") == 0


async def test_widening_who_sees_names_waits_for_a_second_admin_and_keeps_each_consent(
    admin: FakeUser,
    tg: FakeTelegram,
    app: BotApp,
    svc: Services,
    make_user: Callable[..., FakeUser],
) -> None:
    await catalogue.import_folders(svc.db, svc.settings.campaigns_dir, svc.now())
    await admin.command("reload")
    await admin.send(f"/campaign set {CAMPAIGN} review_public_names off")
    assert "review_public_names is now false" in admin.last.text  # one admin: no four eyes
    await admin.send(f"/campaign set {CAMPAIGN} signatories off")  # narrows: at once
    assert "signatories is now false" in admin.last.text
    await sign(make_user(first_name="Early"), "Early Signer")  # agreed to no list
    second = tg.user(app, first_name="Bea", language_code="en")
    second.chat.started = admin.chat.started = True
    svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id, second.id}))
    await admin.send(f"/campaign set {CAMPAIGN} signatories on")
    assert "waits for another admin" in admin.last.text
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None and not campaign.signatories
    request = next(m for m in second.messages if "asks to set signatories to true" in m.text)
    await admin.press_data(request.callback_data["✅ Apply"], admin.messages[-1])
    assert "nobody approves their own request" in admin.last.text
    await second.press("✅ Apply", request)
    assert "was applied" in second.last.text
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None and campaign.signatories
    await sign(make_user(first_name="Late"), "Late Signer")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Late Signer" in reader.last.text
    assert "Early Signer" not in reader.last.text  # never beyond the consent it recorded
    await admin.send(f"/campaign set {CAMPAIGN} colour on")
    assert "“colour” is not a setting" in admin.last.text
