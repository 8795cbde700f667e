"""Two workers on one PostgreSQL database, as behind one webhook with two upstreams: a burst
of signers whose updates, double taps and redeliveries are split across the workers records
every signature once and thanks every signer once; a job runs on one worker at a time; a
broadcast outlives the worker sending it, with no message twice and none missed."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.config import Settings, load_settings
from bot.core import leases
from bot.storage.signatures import COUNTS
from bot.telegram.broadcast import LEASE_SECONDS
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.admin import confirmed_broadcast, messages_with, stop_after
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, QueuedUser
from tests.support.postgres import Server
from tests.support.steps import CAMPAIGN, sign

PEOPLE = 40
SENT = "the hearing is on Monday"


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
        assert await db.scalar(f"SELECT SUM(signatures) FROM {COUNTS} AS counts") == PEOPLE
        names = {r[0] for r in await db.fetchall("SELECT name FROM signatures")}
        assert names == {f"Person Number{i}" for i in range(PEOPLE)}
        assert await db.scalar("SELECT COUNT(*) FROM signatures WHERE role IS NOT NULL") == 0
        for a, _ in people:
            assert len([m for m in a.messages if "Thank you" in m.text]) == 1, a
    finally:
        for app in workers:
            await app.stop()
            await stop_app(app)


async def _workers(settings: Settings, tg: FakeTelegram, clock: Clock) -> list[BotApp]:
    return [await start_app(settings, tg, clock) for _ in range(2)]


async def test_a_job_runs_on_one_worker_and_passes_on_when_it_stops_or_dies(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings({**env, "DATABASE_URL": postgres_server.new_database()})
    first, second = await _workers(settings, tg, clock)
    a, b = first.runtime.services, second.runtime.services
    try:
        assert await leases.take(a, "job:recount", 180)
        assert not await leases.take(b, "job:recount", 180)  # the other worker skips it
        assert await leases.take(a, "job:recount", 180)  # renewed by its holder
        clock.advance(181)  # the holder died: nobody renewed
        assert await leases.take(b, "job:recount", 180)
        assert not await leases.take(a, "job:recount", 180)
    finally:
        await stop_app(second)  # a clean stop hands its leases on at once
    assert await leases.take(a, "job:recount", 180)
    await stop_app(first)


async def test_a_broadcast_survives_its_workers_death_without_a_repeat_or_a_gap(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> None:
    """Worker one sends part of a broadcast and dies (no clean stop); worker two, already
    running, leaves it alone while the lease holds and takes it over once it expired: every
    subscriber has it exactly once."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings({**env, "DATABASE_URL": postgres_server.new_database()})
    first, second = await _workers(settings, tg, clock)
    admin = tg.user(first, first_name="Ada")
    for app in (first, second):
        app.runtime.services.settings = replace(settings, admin_ids=frozenset({admin.id}))
    subscribers = []
    for i in range(6):
        subscribers.append(tg.user(first, first_name=f"Sub{i}"))
        await sign(subscribers[-1], f"Subscriber Number{i}", notify=True)
    stop_after(first.runtime.broadcaster, 2)
    await confirmed_broadcast(admin)
    await first.runtime.broadcaster.join()  # "died" after two: its lease is still held
    await second.runtime.broadcaster.resume()
    await second.runtime.broadcaster.join()
    assert sum(len(messages_with(tg, u.id, SENT)) for u in subscribers) == 2  # not yet its turn
    clock.advance(LEASE_SECONDS + 1)
    await second.runtime.broadcaster.resume()  # what its resume job does every minute
    await second.runtime.broadcaster.join()
    assert [len(messages_with(tg, u.id, SENT)) for u in subscribers] == [1] * 6
    db = second.runtime.services.db
    assert await db.fetchone("SELECT status, sent FROM broadcasts") == ("done", 6)
    await stop_app(second)
    await stop_app(first)
