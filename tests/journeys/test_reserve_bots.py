"""Reserve bots: two official bots over one database, each its own token, getMe id and
username on the fake, every call validated against the spec per token."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from telegram.error import Conflict, InvalidToken

from bot.config import Settings
from bot.telegram.fleet import Fleet
from bot.telegram.health import Health
from tests.conftest import Clock, start_fleet
from tests.support.admin import (
    NEWS,
    broadcast_reply,
    confirmed_broadcast,
    messages_with,
    write_news,
)
from tests.support.faketg import FakeUser, Switchboard
from tests.support.steps import CAMPAIGN, sign

WAIT_MINUTES = 60

SENT = "the hearing is on Monday"


def _user(board: Switchboard, fleet: Fleet, bot: int, person: dict[str, object]) -> FakeUser:
    return FakeUser(board.bots[bot], fleet.apps[bot], person)


async def test_a_signer_is_one_person_on_both_bots_and_each_bot_fails_alone(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    admin_person = board.person("Ada")
    settings = replace(settings, bot_tokens=board.tokens, admin_ids=frozenset({admin_person["id"]}))
    fleet = await start_fleet(settings, board.request(), clock)
    try:
        assert [app.bot.username for app in fleet.apps] == ["Petition1Bot", "Petition2Bot"]
        olena = board.person("Olena")
        await sign(_user(board, fleet, 0, olena), "Olena Kovalenko", notify=True)
        # The same person on the reserve bot: recognised, her signature shown, no second one.
        on_reserve = _user(board, fleet, 1, olena)
        await on_reserve.start(CAMPAIGN)
        await on_reserve.press("Sign")
        assert "Olena Kovalenko" in on_reserve.last.text
        assert await fleet.services.db.scalar("SELECT COUNT(*) FROM signatures") == 1
        taras = board.person("Taras")
        await sign(_user(board, fleet, 1, taras), "Taras Melnyk", notify=True)

        # A broadcast from the reserve bot reaches each subscriber through their own bot, once.
        await confirmed_broadcast(_user(board, fleet, 1, admin_person))
        await fleet.broadcaster.join()
        assert NEWS.endswith(SENT)
        first, second = board.bots
        assert len(messages_with(first, olena["id"], SENT)) == 1
        assert len(messages_with(second, taras["id"], SENT)) == 1
        assert messages_with(second, olena["id"], SENT) == []
        assert messages_with(first, taras["id"], SENT) == []

        # The first bot's token is revoked while it runs: the reserve keeps serving, and
        # /healthz stays 200 naming the failing bot.
        first.revoked = True
        with pytest.raises(InvalidToken):  # its next call (the keep-alive's getMe, say)
            await fleet.apps[0].bot.get_me()
        health = Health()
        healthy, checks = await health.check(fleet)
        assert healthy, checks
        assert "@Petition1Bot (7100000001): Telegram rejected its token" in checks["bots"]
        await _user(board, fleet, 1, taras).send("/progress")
        assert not fleet.stopping.is_set()
        second.revoked = True
        with pytest.raises(InvalidToken):
            await fleet.apps[1].bot.get_me()
        healthy, checks = await health.check(fleet)
        assert not healthy and checks["telegram"].startswith("failing")
        assert fleet.all_rejected()
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_a_token_rejected_while_running_is_found_by_its_next_call(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    settings = replace(settings, bot_tokens=board.tokens)
    fleet = await start_fleet(settings, board.request(), clock)
    try:
        board.bots[0].revoked = True
        with pytest.raises(InvalidToken):
            await fleet.apps[0].bot.get_me()
        assert fleet.apps[0].runtime.link.reason.startswith("Telegram rejected its token")
        assert [app.bot.username for app in fleet.serving()] == ["Petition2Bot"]
        assert not fleet.stopping.is_set()
    finally:
        await fleet.close()


async def test_reordered_tokens_keep_every_subscription_on_its_own_bot(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    admin_person = board.person("Ada")
    settings = replace(settings, bot_tokens=board.tokens, admin_ids=frozenset({admin_person["id"]}))
    fleet = await start_fleet(settings, board.request(), clock)
    olena, taras = board.person("Olena"), board.person("Taras")
    try:
        await sign(_user(board, fleet, 0, olena), "Olena Kovalenko", notify=True)
        await sign(_user(board, fleet, 1, taras), "Taras Melnyk", notify=True)
    finally:
        await fleet.close()

    reordered = replace(settings, bot_tokens=tuple(reversed(board.tokens)))
    fleet = await start_fleet(reordered, board.request(), clock)
    try:
        assert [app.bot.username for app in fleet.apps] == ["Petition2Bot", "Petition1Bot"]
        # The first start's primary stays primary: the database keeps roles, not the order.
        roles = {bot.id: bot.role.value for bot in fleet.services.bots}
        assert roles[7100000001] == "primary"
        admin = FakeUser(board.bots[0], fleet.apps[1], admin_person)
        await confirmed_broadcast(admin)
        await fleet.broadcaster.join()
        first, second = board.bots
        assert len(messages_with(first, olena["id"], SENT)) == 1
        assert len(messages_with(second, taras["id"], SENT)) == 1
        assert (
            messages_with(second, olena["id"], SENT) + messages_with(first, taras["id"], SENT) == []
        )
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_one_bot_rejected_at_start_and_the_rest_serve(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    board.bots[0].revoked = True
    fleet = await start_fleet(replace(settings, bot_tokens=board.tokens), board.request(), clock)
    try:
        assert [app.bot.username for app in fleet.serving()] == ["Petition2Bot"]
        healthy, checks = await Health().check(fleet)
        assert healthy and "bot 7100000001: Telegram rejected its token" in checks["bots"]
    finally:
        await fleet.close()


async def test_a_subscriber_whose_bot_stays_down_counts_as_failed_and_the_admin_is_told(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    admin_person = board.person("Ada")
    settings = replace(
        settings,
        bot_tokens=board.tokens,
        admin_ids=frozenset({admin_person["id"]}),
        broadcast_wait_minutes=WAIT_MINUTES,
    )
    fleet = await start_fleet(settings, board.request(), clock)
    olena, taras = board.person("Olena"), board.person("Taras")
    try:
        await sign(_user(board, fleet, 0, olena), "Olena Kovalenko", notify=True)
        await sign(_user(board, fleet, 1, taras), "Taras Melnyk", notify=True)
        admin = _user(board, fleet, 0, admin_person)
        await broadcast_reply(admin, await write_news(admin), f"/broadcast {CAMPAIGN}")
        # The preview says how many subscribers each bot reaches.
        assert "Each subscriber gets it through the bot they subscribed with:" in admin.last.text
        assert "• @Petition1Bot: 1 subscriber\n• @Petition2Bot: 1 subscriber" in admin.last.text

        board.bots[1].revoked = True  # Taras's bot goes down before the broadcast
        with pytest.raises(InvalidToken):
            await fleet.apps[1].bot.get_me()
        # The runner waits by the services' clock, which the pause moves: no real sleeping.
        # Meanwhile /healthz's broadcast check sees no progress for longer than its ten
        # minutes and still says ok: the runner is rightly waiting for a bot that is down.
        ticks = [0.0]
        health = Health(clock=lambda: ticks[0])
        waited: list[float] = []
        broadcast_checks: list[str] = []

        async def pause(seconds: float) -> None:
            if not waited:
                for _ in range(2):
                    broadcast_checks.append((await health.check(fleet))[1]["broadcasts"])
                    ticks[0] += 700
            waited.append(seconds)
            clock.advance(seconds)
            if sum(waited) > 2 * WAIT_MINUTES * 60:
                fleet.broadcaster.request_stop()  # it never gave up: the checks below fail

        fleet.broadcaster.pause = pause
        await admin.press("Confirm")
        await fleet.broadcaster.join()
        assert broadcast_checks == ["ok", "ok"]
        assert WAIT_MINUTES * 60 <= sum(waited) <= WAIT_MINUTES * 60 + max(waited)
        assert len(messages_with(board.bots[0], olena["id"], SENT)) == 1
        assert messages_with(board.bots[1], taras["id"], SENT) == []
        assert messages_with(board.bots[0], taras["id"], SENT) == []  # never another bot
        assert admin.last.text == (
            "The broadcast is finished: 1 sent, 1 failed.\n1 subscriber was not reached: the "
            "bot they subscribed with was down for longer than BROADCAST_WAIT_MINUTES."
        )
        row = await fleet.services.db.fetchone("SELECT sent, failed, status FROM broadcasts")
        assert row is not None and tuple(row) == (1, 1, "done")
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_a_milestone_reached_on_one_bot_reaches_each_subscriber_through_their_own(
    settings: Settings, clock: Clock
) -> None:
    board = Switchboard(2)
    admin_person = board.person("Ada")
    settings = replace(settings, bot_tokens=board.tokens, admin_ids=frozenset({admin_person["id"]}))
    fleet = await start_fleet(settings, board.request(), clock)
    olena, taras = board.person("Olena"), board.person("Taras")
    try:
        await _user(board, fleet, 0, admin_person).send(f"/goal {CAMPAIGN} ladder 3,10")
        await sign(_user(board, fleet, 0, olena), "Olena Kovalenko", notify=True)
        await sign(_user(board, fleet, 1, taras), "Taras Melnyk", notify=True)
        # The third signature, on the reserve bot, reaches the goal of 3.
        await sign(_user(board, fleet, 1, board.person("Ivan")), "Ivan Petrenko")
        await fleet.broadcaster.join()
        first, second = board.bots
        assert len(messages_with(first, olena["id"], "🎉")) == 1
        assert len(messages_with(second, taras["id"], "🎉")) == 1
        assert (
            messages_with(second, olena["id"], "🎉") + messages_with(first, taras["id"], "🎉") == []
        )
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_another_process_taking_a_bots_updates_is_logged_once_and_named(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A leaked token used to take the bot's updates (a webhook set, or a second poller):
    Telegram answers our getUpdates 409; one log line says so, without the token, and
    /healthz names the bot while the others keep it healthy."""
    board = Switchboard(2)
    fleet = await start_fleet(replace(settings, bot_tokens=board.tokens), board.request(), clock)
    try:
        board.bots[0].webhook = {"url": "https://attacker.example/hook"}  # set with the token
        with caplog.at_level(logging.ERROR, logger="bot"):
            for _ in range(3):
                with pytest.raises(Conflict):
                    await fleet.apps[0].bot.get_updates(timeout=0)
        lines = [r.getMessage() for r in caplog.records if "another process" in r.getMessage()]
        assert lines == [
            "@Petition1Bot (7100000001): another process takes this bot's updates (Telegram "
            "answers getUpdates with 409 Conflict): a second copy of the bot, or a leaked "
            "token; if it is not yours, revoke the token in @BotFather"
        ]
        assert not any(board.tokens[0] in r.getMessage() for r in caplog.records)
        healthy, checks = await Health().check(fleet)
        assert healthy, checks
        assert "@Petition1Bot (7100000001): another process took its updates" in checks["bots"]
    finally:
        await fleet.close()


async def test_leaving_no_trace_on_one_bot_keeps_where_the_other_bots_chat_began(
    settings: Settings, clock: Clock
) -> None:
    """Each chat is cleaned by its own bot from where it began: cleaning the chat with one bot
    forgets that chat's start alone, or a later clean-up of the other chat could not reach
    back to its first messages (a typed name under a thank-you, evidence on the phone)."""
    board = Switchboard(2)
    settings = replace(settings, bot_tokens=board.tokens)
    fleet = await start_fleet(settings, board.request(), clock)
    olena = board.person("Olena")
    try:
        on_primary, on_reserve = _user(board, fleet, 0, olena), _user(board, fleet, 1, olena)
        await sign(on_reserve, "Olena Kovalenko")
        await on_primary.start(CAMPAIGN)  # her signature, shown on the primary too
        await on_primary.send("/privacy")
        await on_primary.press("Leave no trace")
        reserve = fleet.apps[1].bot.id
        assert await fleet.services.db.fetchall("SELECT bot FROM trail") == [(reserve,)]
        await on_reserve.send("/mydata")
        assert "Where this conversation began" in on_reserve.last.text
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_blocking_one_bot_keeps_what_the_person_holds_with_the_other(
    settings: Settings, clock: Clock
) -> None:
    """Blocking one official bot (misused with a leaked token, or left for the reserve)
    forgets that chat: the subscriptions it delivers, its draft and trail. The subscription
    through the other bot, where that chat began and the choice of automatic clean-up stay,
    whether Telegram tells the bot of the block or a broadcast finds it: else the next
    signature on the reserve would leave its thank-you in a chat meant to keep no trace."""
    board = Switchboard(2)
    ada = board.person("Ada")
    settings = replace(settings, bot_tokens=board.tokens, admin_ids=frozenset({ada["id"]}))
    fleet = await start_fleet(settings, board.request(), clock)
    other = "open-doors-letter"
    try:
        olena, taras = board.person("Olena"), board.person("Taras")
        for person in (olena, taras):
            await sign(_user(board, fleet, 0, person), "Same Person", notify=True)
            await sign(_user(board, fleet, 1, person), campaign=other, notify=True)
        on_reserve = _user(board, fleet, 1, olena)
        await on_reserve.send("/privacy")
        await on_reserve.press("Automatic clean-up after signing: off")  # switches it on
        await _user(board, fleet, 0, olena).block_bot()  # Telegram tells the bot at once
        board.bots[0].block_bot(taras["id"])  # found only by the broadcast's send
        await confirmed_broadcast(_user(board, fleet, 0, ada))
        await fleet.broadcaster.join()

        reserve = fleet.apps[1].bot.id
        rows = await fleet.services.db.fetchall("SELECT campaign, bot FROM subscriptions")
        assert sorted(rows) == [(other, reserve), (other, reserve)]
        await on_reserve.send("/mydata")
        held = on_reserve.last.text
        assert "Automatic clean-up after signing: on" in held
        assert "Where this conversation began" in held
        assert held.count("Updates: on") == 1
    finally:
        await fleet.close()
    board.assert_no_violations()
