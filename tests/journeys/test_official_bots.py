"""The official bots' roles (reserve bots, README "Reserve bots"): an admin's /bots lists them
and changes a role, audited and under four eyes when they are in force; /help, the thank-you
message and the public page name the primary first, then the active bots, never a dormant
one, on every bot and at once after a change."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from bot.config import Settings
from bot.telegram import menus
from bot.telegram.fleet import Fleet
from tests.conftest import Clock, start_fleet
from tests.support.admin import unknown_reply
from tests.support.faketg import FakeUser, Switchboard
from tests.support.steps import CAMPAIGN, press_action, sign

FIRST, SECOND, THIRD = "@Petition1Bot", "@Petition2Bot", "@Petition3Bot"


@pytest.fixture
def board() -> Switchboard:
    return Switchboard(3)


@pytest.fixture
def ada(board: Switchboard) -> dict[str, Any]:
    return board.person("Ada")


@pytest.fixture
async def fleet(
    settings: Settings, clock: Clock, board: Switchboard, ada: dict[str, Any]
) -> AsyncIterator[Fleet]:
    settings = replace(settings, bot_tokens=board.tokens, admin_ids=frozenset({ada["id"]}))
    running = await start_fleet(settings, board.request(), clock)
    yield running
    await running.close()
    board.assert_no_violations()


def on(board: Switchboard, fleet: Fleet, bot: int, person: dict[str, Any]) -> FakeUser:
    return FakeUser(board.bots[bot], fleet.apps[bot], person)


def named(text: str) -> list[str]:
    """The official bots a message names, in its order."""
    found = [(text.find(name), name) for name in (FIRST, SECOND, THIRD) if name in text]
    return [name for _, name in sorted(found)]


async def help_on(user: FakeUser) -> str:
    await user.send("/help")
    return user.last.text


async def audited(fleet: Fleet) -> list[tuple[str, str]]:
    rows = await fleet.services.db.fetchall("SELECT action, detail FROM audit_log ORDER BY id")
    return [(str(r[0]), str(r[1])) for r in rows]


async def test_an_admin_sets_roles_and_every_bot_names_the_advertised_ones_primary_first(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    admin = on(board, fleet, 0, ada)
    await admin.send("/bots")
    listing = admin.last.text
    assert "@Petition1Bot (7100000001): primary" in listing
    assert "@Petition2Bot (7200000002): active" in listing
    assert listing.count("serving now") == 3

    olena = board.person("Olena")
    for bot in range(3):
        assert named(await help_on(on(board, fleet, bot, olena))) == [FIRST, SECOND, THIRD]

    # The third becomes dormant: it still serves whoever opens it, and no bot names it.
    await admin.send("/bots role Petition3Bot dormant")
    assert (
        admin.last.text
        == "@Petition3Bot is now dormant (serves whoever opens it, advertised nowhere)."
    )
    dormant = on(board, fleet, 2, olena)
    assert named(await help_on(dormant)) == [FIRST, SECOND]
    await sign(dormant, "Olena Kovalenko")
    assert named(dormant.last.text) == [FIRST, SECOND]
    assert "Thank you! Your signature is recorded." in dormant.last.text

    # The second becomes primary (by id): the former primary is active, and every bot names
    # the new primary first at once.
    await admin.send("/bots role 7200000002 primary")
    assert admin.last.text == (
        "@Petition2Bot is now primary (named first everywhere).\n"
        "@Petition1Bot is now active (named after the primary)."
    )
    for bot in range(3):
        assert named(await help_on(on(board, fleet, bot, olena))) == [SECOND, FIRST]
    taras = on(board, fleet, 0, board.person("Taras"))
    await sign(taras, "Taras Melnyk")
    assert named(taras.last.text) == [SECOND, FIRST]
    actions = [a for a in await audited(fleet) if a[0] == "bot_role"]
    assert actions == [
        ("bot_role", "bot=7300000003 role=dormant"),
        ("bot_role", "bot=7200000002 role=primary"),
    ]


async def test_a_bad_role_change_is_refused_and_changes_nothing(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    admin = on(board, fleet, 1, ada)
    refusals = {
        "/bots role @NoSuchBot active": "No official bot is called “@NoSuchBot”: /bots lists them.",
        "/bots role Petition2Bot boss": "“boss” is not a role: use primary, active or dormant.",
        "/bots role Petition1Bot active": "“Petition1Bot” is the primary bot, and there is always "
        "exactly one: make another bot primary instead (this one then becomes active).",
        "/bots role Petition2Bot active": "“Petition2Bot” already has that role: nothing changed.",
    }
    for command, refusal in refusals.items():
        await admin.send(command)
        assert admin.last.text == refusal, command
    await admin.send("/bots role Petition2Bot")
    assert admin.last.text.startswith("Change a role with /bots role <bot username or id>")
    roles = {bot.username: bot.role.value for bot in fleet.services.bots}
    assert roles == {"Petition1Bot": "primary", "Petition2Bot": "active", "Petition3Bot": "active"}
    assert [a for a in await audited(fleet) if a[0] == "bot_role"] == []
    # For anyone else /bots is an unknown command.
    stranger = on(board, fleet, 1, board.person("Eve"))
    await stranger.send("/bots role Petition2Bot primary")
    assert stranger.last.text == await unknown_reply(stranger)


async def test_with_two_admins_a_role_change_waits_for_the_second_admin(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    bea = board.person("Bea")
    svc = fleet.services
    svc.settings = replace(svc.settings, admin_ids=frozenset({ada["id"], bea["id"]}))
    first, second = on(board, fleet, 0, ada), on(board, fleet, 0, bea)
    await second.send("/start")  # Bea opened the bot: she can be told
    await first.send("/bots role Petition2Bot primary")
    assert "Nothing was done yet" in first.last.text
    assert [b.username for b in svc.bots if b.role.value == "primary"] == ["Petition1Bot"]
    [request] = [m for m in second.messages if "needs a second admin" in m.text]
    assert "What: a change of an official bot's role" in request.text
    assert "Bot: @Petition2Bot, to become primary (named first everywhere)" in request.text
    assert "Concerns" not in request.text
    await first.press("Approve", next(m for m in first.messages if "needs a second" in m.text))
    assert [b.username for b in svc.bots if b.role.value == "primary"] == ["Petition1Bot"]
    await second.press("Approve", request)
    assert [b.username for b in svc.bots if b.role.value == "primary"] == ["Petition2Bot"]
    assert "@Petition2Bot is now primary" in first.last.text
    assert named(await help_on(on(board, fleet, 2, board.person("Olena")))) == [
        SECOND,
        FIRST,
        THIRD,
    ]
    actions = [a[0] for a in await audited(fleet)]
    assert actions.index("approval_approved") < actions.index("bot_role")
    assert await svc.db.scalar("SELECT COUNT(*) FROM approvals") == 0


async def test_each_bot_speaks_for_itself(board: Switchboard, fleet: Fleet) -> None:
    """Links, QR codes, inline and group cards carry the username of the bot that shows them;
    each bot gets its own menus and descriptions, within Telegram's limits in every language."""
    reserve, own = board.bots[1], "https://t.me/Petition2Bot?start="
    user = on(board, fleet, 1, board.person("Olena"))
    await user.start(CAMPAIGN)
    await user.press("Share")
    share = user.last
    assert share.caption is not None and f"{own}{CAMPAIGN}" in share.caption
    assert share.photo is not None
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(share.photo)))
    assert barcode.text == f"{own}{CAMPAIGN}"
    cards = await user.inline_query("")
    assert cards and all(
        button["url"].startswith(own)
        for card in cards
        for row in card["reply_markup"]["inline_keyboard"]
        for button in row
    )
    group = reserve.group(title="Diaspora")
    await reserve.add_bot_to_group(group, by=user)
    [welcome] = group.messages
    assert welcome.button_urls and all(u.startswith(own) for u in welcome.button_urls.values())
    await user.send("/help", group)
    assert "/petition@Petition2Bot" in group.messages[-1].text
    # A group's /help names the official bots too, primary first (nothing personal in it).
    [official] = [line for line in group.messages[-1].text.splitlines() if "official" in line]
    assert named(official) == [FIRST, SECOND, THIRD]
    assert all(
        u.startswith("https://t.me/Petition2Bot") for u in group.messages[-1].button_urls.values()
    )

    languages = {None, *fleet.services.i18n.languages()}
    for bot in board.bots:  # every bot its own menus and descriptions, in every language
        for method, limit in (("setMyDescription", 512), ("setMyShortDescription", 120)):
            calls = [c.params for c in bot.calls_to(method) if c.ok]
            field = "description" if method == "setMyDescription" else "short_description"
            assert {c.get("language_code") for c in calls} == languages, method
            assert all(0 < len(c[field]) <= limit for c in calls), method
        descriptions = [c.params["description"] for c in bot.calls_to("setMyDescription")]
        assert descriptions and all(f"@{bot.bot['username']}." in text for text in descriptions)
        assert {c.params.get("language_code") for c in bot.calls_to("setMyCommands")} == languages
    # The longest username Telegram allows still fits, in every language.
    longest = "a" * 29 + "bot"
    for call in menus.plan(fleet.services.i18n, longest, frozenset({1}), frozenset({2})):
        if call.method == "description":
            assert isinstance(call.payload, str) and longest in call.payload
            assert len(call.payload) <= 512, (call.language, len(call.payload))
        elif call.method == "short_description":
            assert len(call.payload) <= 120, call.language


async def test_an_unknown_command_names_the_official_bots_never_a_dormant_one(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    """Whoever types a command a bot does not have (one a look-alike taught them, or an
    organiser's) is pointed to the real bots, primary first, as /help does."""
    await on(board, fleet, 0, ada).send("/bots role Petition3Bot dormant")
    for bot in range(3):
        olena = on(board, fleet, bot, board.person("Olena"))
        reply = await unknown_reply(olena)
        assert reply.startswith("I don't know that command.")
        assert named(reply) == [FIRST, SECOND], bot


async def test_only_an_admin_reaches_bots_and_a_role_change(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    """A moderator is told no (audited); a translator, like anyone else, meets an unknown
    command; neither changes a role, on any bot."""
    mod, translator = board.person("Mo"), board.person("Tanya")
    svc = fleet.services
    svc.settings = replace(
        svc.settings,
        moderator_ids=frozenset({mod["id"]}),
        translator_ids=frozenset({translator["id"]}),
    )
    for bot in range(3):
        moderator = on(board, fleet, bot, mod)
        await moderator.send("/bots role Petition2Bot primary")
        assert "admin" in moderator.last.text and "primary" not in moderator.last.text
        other = on(board, fleet, bot, translator)
        for command in ("/bots", "/bots role Petition2Bot primary"):
            await other.send(command)
            assert other.last.text.startswith("I don't know that command."), command
    roles = {bot.username: bot.role.value for bot in svc.bots}
    assert roles == {"Petition1Bot": "primary", "Petition2Bot": "active", "Petition3Bot": "active"}
    refused = [a for a in await audited(fleet) if a[0] == "refused"]
    assert refused == [("refused", "command=bots")] * 3


async def test_a_signer_who_keeps_no_trace_learns_the_official_bots_in_a_passing_pop_up(
    board: Switchboard, fleet: Fleet, ada: dict[str, Any]
) -> None:
    """With automatic clean-up the thank-you is a pop-up, not a message that stays: it names
    the official bots (primary first, never a dormant one) as the thank-you message would, and
    an edit says so; the chat keeps only the clean-up's neutral note."""
    await on(board, fleet, 0, ada).send("/bots role Petition3Bot dormant")
    olena = on(board, fleet, 2, board.person("Olena"))
    await olena.send("/privacy")
    await olena.press("Automatic clean-up after signing: off")  # switches it on
    await olena.start(CAMPAIGN)
    await press_action(olena, "sign|")
    await olena.send("Olena Kovalenko")
    await press_action(olena, f"ok|{CAMPAIGN}|1")
    popup = olena.last_answer or {}
    assert popup.get("show_alert") is True
    assert popup["text"].startswith("✅ Thank you! Your signature is recorded.")
    assert named(popup["text"]) == [FIRST, SECOND]
    assert all(named(m.text) == [] for m in olena.messages)

    await olena.command("mysignature")
    await press_action(olena, f"edit|{CAMPAIGN}")
    await olena.send("Olena K.")
    await press_action(olena, f"ok|{CAMPAIGN}|1")
    popup = olena.last_answer or {}
    assert popup["text"].startswith("✅ Your signature has been updated.")
    assert named(popup["text"]) == [FIRST, SECOND]
