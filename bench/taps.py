"""Bot-side time per tap with Telegram answering every call after 100 ms (issue 32).

What a person waits for after a tap, minus Telegram's own delivery: from the update entering
`app.update_queue` until its handler is done (its screen edited or sent). Before issue 32 the
callback answer (or the deletion of a typed name) was awaited before the edit, so each step
after /start took two round trips.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.signing import CAMPAIGN, start_ours, stop_ours
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

LATENCY = 0.1  # seconds Telegram takes to answer each call
STEPS = ("/start", "Sign", "type the name", "Sign with my name")
TARGET_MS = 120.0  # each step after /start


async def _timed(step: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await step()
    return (time.perf_counter() - started) * 1000


async def _journey(user: LeanUser, n: int) -> list[float]:
    return [
        await _timed(lambda: user.send(f"/start {CAMPAIGN}")),
        await _timed(lambda: user.press("Sign")),
        await _timed(lambda: user.send(f"Tapping Person{n}")),
        await _timed(lambda: user.press("Sign with my name")),
    ]


async def bench(users: int) -> dict[str, float]:
    fake = FakeTelegram()
    with tempfile.TemporaryDirectory() as tmp:
        app = await start_ours(fake, Path(tmp))
        driver = Driver(app)
        await app.start()
        people = [LeanUser(fake, driver, first_name=f"T{i}") for i in range(users)]
        fake.latency = LATENCY
        # One person after another: the latency of a tap, not the throughput of many.
        timings = [await _journey(p, i) for i, p in enumerate(people)]
        fake.latency = 0
        await stop_ours(app)
    fake.assert_no_violations()
    thanked = sum(1 for p in people if "Thank you" in p.last_bot_message()["text"])
    if thanked != users:
        raise AssertionError(f"only {thanked} of {users} users were thanked")
    print(
        f"\n== Bot-side time per tap, Telegram answering each call after {LATENCY * 1000:.0f} ms =="
    )
    print(f"   {users} people one after another; from the update's arrival to its handler's end")
    print("   (median of each step)")
    medians = {}
    for i, name in enumerate(STEPS):
        median = statistics.median(t[i] for t in timings)
        medians[name] = median
        target = f"target <= {TARGET_MS:.0f} ms" if i else ""
        print(f"   {name:<22} {median:8.0f} ms   {target}")
    return medians


if __name__ == "__main__":
    asyncio.run(bench(20))
