"""Resident memory from 10,000 to 100,000 distinct users: what the process keeps per person.

Issue 23's promise is that nothing per person outlives its purpose in memory either, so the
resident size must not grow with the number of people who ever used the bot. The real
Application runs against the in-process fake Telegram; each user's chat is dropped from the
fake once their journey ends (the fake is Telegram's servers, not the bot), and the driver's
per-update timings are cleared, so what grows is the bot's own.

Time is virtual: people arrive at `rate` a second, the services' clock moves with them, and the
production sweep job runs every 60 virtual seconds. At 25 new people a second (the signing
target), about 7,500 people are within the 5 minutes that per-person state may live.
Nine in ten users only open the campaign from a link; one in ten signs.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from pathlib import Path

from bench.signing import CAMPAIGN, journey, rss_mb, start_ours, stop_ours
from bot.telegram import jobs
from bot.telegram.context import BotApp, BotContext
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

SWEEP_EVERY = 60.0  # virtual seconds, as bot.telegram.jobs schedules `forget`


class VirtualClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def _visit(user: LeanUser, n: int) -> int:
    await user.send(f"/start {CAMPAIGN}")
    return 1


async def _people(
    app: BotApp, fake: FakeTelegram, driver: Driver, first: int, count: int, concurrency: int
) -> None:
    """`count` new people, each through their journey, their chat then gone from the fake."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            user = LeanUser(fake, driver, first_name=f"U{i}")
            await (journey if i % 10 == 0 else _visit)(user, i)
            fake.chats.pop(user.id, None)
            fake.users.pop(user.id, None)

    await asyncio.gather(*(one(i) for i in range(first, first + count)))
    fake.calls.clear()
    fake.updates.clear()
    fake.callback_queries.clear()
    driver.latencies.clear()


async def bench(users: int, rate: float = 25.0, concurrency: int = 200) -> dict[str, float]:
    warm = users // 10
    batch = min(1_000, warm)  # the warm-up ends on a batch
    fake = FakeTelegram()
    clock = VirtualClock()
    with tempfile.TemporaryDirectory() as tmp:
        app = await start_ours(fake, Path(tmp))
        svc = app.runtime.services
        svc.clock = clock
        driver = Driver(app)
        await app.start()
        context = BotContext(app)
        next_sweep = clock.now + SWEEP_EVERY
        figures: dict[int, float] = {}
        held: dict[int, int] = {}
        started = time.perf_counter()
        done = 0
        while done < users:
            await _people(app, fake, driver, done, batch, concurrency)
            done += batch
            clock.now += batch / rate
            while clock.now >= next_sweep:
                await jobs.forget(context)
                next_sweep += SWEEP_EVERY
            if done in (warm, users):
                await asyncio.sleep(0)
                gc.collect()
                figures[done], held[done] = rss_mb(), len(svc.memory)
        seconds = time.perf_counter() - started
        signed = await svc.db.scalar("SELECT COUNT(*) FROM signatures")
        await stop_ours(app)
    fake.assert_no_violations()
    if signed != users // 10:
        raise AssertionError(f"{signed} signatures for {users // 10} signers")
    growth = figures[users] - figures[warm]
    print(f"\n== Resident memory, {warm:,} -> {users:,} distinct users ==")
    print(f"   (real Application, in-process fake; one in ten signs; {rate:g} new people/s in")
    print(f"    virtual time, the sweep every {SWEEP_EVERY:.0f} s; {seconds:.0f} s of real time)")
    print(f"   RSS after {warm:>7,} users   {figures[warm]:10.1f} MB")
    print(f"   RSS after {users:>7,} users   {figures[users]:10.1f} MB")
    print(f"   growth                  {growth:10.1f} MB   target <= 10")
    print(f"   per-person entries held {held[warm]:,} -> {held[users]:,} (within the last minutes)")
    return {"rss_growth_mb": growth}


if __name__ == "__main__":
    asyncio.run(bench(10_000))
