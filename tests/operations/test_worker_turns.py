"""One person's updates split across two workers on one PostgreSQL database: they run one at a
time and each once (a redelivery to the other worker is dropped), and what one worker changes
in what the other caches (a person's language) is seen by the other at its next update."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import load_settings
from bot.domain.bots import Role
from bot.storage import bots as bot_store
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, start_fleet, stop_app
from tests.support.faketg import FakeTelegram, Switchboard
from tests.support.harness import Driver, QueuedUser
from tests.support.postgres import Server
from tests.support.steps import CAMPAIGN

HANDLER_TAKES = 0.02  # a handler that waits on the Bot API, as every real one does


@pytest.fixture
async def two(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> AsyncIterator[list[BotApp]]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings({**env, "DATABASE_URL": postgres_server.new_database()})
    workers = [await start_app(settings, tg, clock) for _ in range(2)]
    for app in workers:
        await app.start()
    yield workers
    for app in workers:
        await app.stop()
        await stop_app(app)


def _both(tg: FakeTelegram, workers: list[BotApp], name: str) -> tuple[QueuedUser, QueuedUser]:
    """One person, as each worker receives their updates."""
    user = tg.new_user(name)
    a, b = (QueuedUser(tg, app, user, Driver(app)) for app in workers)
    return a, b


async def test_one_persons_updates_split_across_two_workers_run_one_at_a_time_and_once(
    two: list[BotApp], tg: FakeTelegram
) -> None:
    handled: Counter[int] = Counter()
    inside: list[int] = []
    overlaps: list[int] = []

    async def slow(update: Update, context: object) -> None:
        """Before every handler, on both workers: notes who is being handled meanwhile."""
        handled[update.update_id] += 1
        if inside:
            overlaps.append(update.update_id)
        inside.append(update.update_id)
        await asyncio.sleep(HANDLER_TAKES)
        inside.remove(update.update_id)

    for app in two:
        app.add_handler(TypeHandler(Update, slow), group=-2)
    a, b = _both(tg, two, "Split")
    await a.start(CAMPAIGN)
    for _ in range(3):  # two different updates at once, one on each worker
        await asyncio.gather(a.send("/help"), b.send("/privacy"))
    await a.send("/help")
    for _ in range(3):  # one update delivered to both workers at once
        b.last_update = a.last_update
        await asyncio.gather(a.redeliver(), b.redeliver())
    assert overlaps == []
    assert len(handled) == 1 + 6 + 1
    assert set(handled.values()) == {1}, handled  # each update once, on one worker


async def test_a_language_chosen_on_one_worker_is_used_by_the_other_at_once(
    two: list[BotApp], tg: FakeTelegram
) -> None:
    a, b = _both(tg, two, "Lingo")
    [msg] = await a.send("/help")
    assert "What I can do" in msg.text  # worker one now caches the person's language
    await b.send("/language")
    await b.press("Polski")
    [msg] = await a.send("/help")
    assert "Co potrafię" in msg.text


async def test_two_bots_updates_with_the_same_number_are_each_handled(
    env: dict[str, str], clock: Clock, postgres_server: Server | None
) -> None:
    """Telegram numbers updates per bot, so a reserve bot's update may carry the number of
    one the primary handled: it is another update, and runs (reserve bots)."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    board = Switchboard(2)
    settings = load_settings({**env, "DATABASE_URL": postgres_server.new_database()})
    fleet = await start_fleet(replace(settings, bot_tokens=board.tokens), board.request(), clock)
    for app in fleet.apps:
        await app.start()
    try:
        person = board.person("Olena")
        users = [
            QueuedUser(board.bots[i], app, person, Driver(app)) for i, app in enumerate(fleet.apps)
        ]
        for user in users:
            [reply] = await user.send("/help")
            assert "What I can do" in reply.text
        assert users[0].last_update["update_id"] == users[1].last_update["update_id"]
    finally:
        for app in fleet.apps:
            await app.stop()
        await fleet.close()


async def test_a_role_changed_on_one_worker_is_named_by_the_other_at_once(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> None:
    """Roles are cached per worker: an admin's /bots on one is seen by the other at its next
    update (the 'bots' generation), so /help never names a former primary first."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    ada = tg.new_user("Ada")
    settings = load_settings(
        {**env, "DATABASE_URL": postgres_server.new_database(), "ADMIN_IDS": str(ada["id"])}
    )
    workers = [await start_app(settings, tg, clock) for _ in range(2)]
    for app in workers:
        await app.start()
    try:
        svc = workers[0].runtime.services
        await bot_store.seen(svc.db, 7999000001, "ReservePetitionBot", Role.ACTIVE, 0)
        admin = QueuedUser(tg, workers[0], ada, Driver(workers[0]))
        await admin.send("/bots role ReservePetitionBot primary")
        assert "@ReservePetitionBot is now primary" in admin.last.text
        reader = QueuedUser(tg, workers[1], tg.new_user("Olena"), Driver(workers[1]))
        [reply] = await reader.send("/help")
        assert reply.text.index("@ReservePetitionBot") < reply.text.index("@PetitionTestBot")
    finally:
        for app in workers:
            await app.stop()
            await stop_app(app)
