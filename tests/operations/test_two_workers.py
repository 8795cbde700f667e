"""Two workers on one PostgreSQL database, as behind one webhook with two upstreams: a burst
of signers whose updates, double taps and redeliveries are split across the workers records
every signature once and thanks every signer once."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import load_settings
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, QueuedUser
from tests.support.postgres import Server
from tests.support.steps import CAMPAIGN

PEOPLE = 40


async def _sign_across(a: QueuedUser, b: QueuedUser, n: int) -> None:
    """One person's journey, each step on either worker, with Telegram's accidents."""
    await a.start(CAMPAIGN)
    await b.press("Sign")
    b.last_update = a.last_update
    await a.send(f"Person Number{n}")
    b.last_update = a.last_update
    await b.redeliver()  # the typed name again, to the other worker
    # The same button twice at once, one press on each worker.
    await asyncio.gather(a.press("Sign with my name"), b.press("Sign with my name"))
    await b.redeliver()


async def test_two_workers_take_a_burst_with_taps_and_redeliveries_split_across_them(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings({**env, "DATABASE_URL": postgres_server.new_database()})
    workers: list[BotApp] = [await start_app(settings, tg, clock) for _ in range(2)]
    drivers = [Driver(app) for app in workers]
    for app in workers:
        await app.start()
    try:
        people = []
        for i in range(PEOPLE):
            user = tg.new_user(f"W{i}")
            people.append(
                (
                    QueuedUser(tg, workers[0], user, drivers[0]),
                    QueuedUser(tg, workers[1], user, drivers[1]),
                )
            )
        await asyncio.gather(*(_sign_across(a, b, i) for i, (a, b) in enumerate(people)))
        db = workers[0].runtime.services.db
        assert await db.scalar("SELECT COUNT(*) FROM signatures") == PEOPLE
        assert await db.scalar("SELECT signatures FROM counters") == PEOPLE
        names = {r[0] for r in await db.fetchall("SELECT name FROM signatures")}
        assert names == {f"Person Number{i}" for i in range(PEOPLE)}
        assert await db.scalar("SELECT COUNT(*) FROM signatures WHERE role IS NOT NULL") == 0
        for a, _ in people:
            assert len([m for m in a.messages if "Thank you" in m.text]) == 1, a
    finally:
        for app in workers:
            await app.stop()
            await stop_app(app)
