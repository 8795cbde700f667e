"""Paging the public list under attack: can a few accounts pressing page buttons stall signing?

300,000 public names. Signing journeys run alone, then while ten accounts press a forged
far-page button and a real "next page" button in turn, each at the rate the flood control
lets one person keep up without a refusal. The figure is each journey's p99 in both runs,
and what one forged far page costs the database next to the first page.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.signing import CAMPAIGN, journey, start_ours, stop_ours
from bot.core.signatories import page_of
from bot.domain.costs import rate_for
from bot.telegram import callbacks
from bot.telegram.context import BotApp
from bot.telegram.views import signatories as list_views
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

FAR = 999_999_999  # the position a forged button asks for
ATTACKERS = 10


def _rows(count: int) -> Iterator[tuple[object, ...]]:
    for i in range(count):
        yield (CAMPAIGN, f"{i:064x}", f"Public Signer {i}", "en", 1_790_000_000)


def seed(path: Path, names: int) -> None:
    """`names` public, approved names that agreed to the bot's list, and the counter."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at, review,"
        " list_consent) VALUES (?, ?, ?, 1, ?, ?, 'approved', 1)",
        _rows(names),
    )
    conn.execute(
        "INSERT INTO counters (campaign, signatures) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET signatures = excluded.signatures",
        (CAMPAIGN, names),
    )
    conn.execute("COMMIT")
    conn.close()


async def _journeys(fake: FakeTelegram, driver: Driver, count: int, base: int) -> list[float]:
    """`count` signing journeys, four at a time; each one's duration in seconds."""
    gate = asyncio.Semaphore(4)
    durations: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            user = LeanUser(fake, driver, first_name=f"S{base + i}")
            started = time.perf_counter()
            await journey(user, base + i)
            durations.append(time.perf_counter() - started)

    await asyncio.gather(*(one(i) for i in range(count)))
    return durations


async def _attacker(user: LeanUser, interval: float, stop: asyncio.Event) -> int:
    """Opens the list, then presses a forged far page and a real next page in turn, one press
    every `interval` seconds (never faster than the flood control allows)."""
    await user.send(f"/signatories {CAMPAIGN}")
    forged = callbacks.encode("who", CAMPAIGN, FAR)
    presses = 0
    while not stop.is_set():
        started = time.perf_counter()
        if presses % 2 == 0:
            await user.press_data(forged, user.last_bot_message())
        else:
            message = user.last_bot_message()
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            real = [b["callback_data"] for r in rows for b in r if b.get("text") in ("›", "‹")]
            await user.press_data(real[0] if real else forged, message)
        presses += 1
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
    return presses


def pct(values: list[float], q: float = 0.99) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _page_ms(app: BotApp, reads: int = 100) -> tuple[float, float]:
    """The median time of one read of the first page and of a forged far page, as a press
    reads them (taken in turn, so a busy moment of the machine weighs on both alike)."""
    svc = app.runtime.services
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None
    times: dict[int, list[float]] = {0: [], FAR: []}
    await page_of(svc, campaign, list_views.FETCH, list_views.fitting)  # builds the index
    for _ in range(reads):
        for after, taken in times.items():
            started = time.perf_counter()
            await page_of(svc, campaign, list_views.FETCH, list_views.fitting, after=after)
            taken.append(time.perf_counter() - started)
    return statistics.median(times[0]) * 1000, statistics.median(times[FAR]) * 1000


async def bench(names: int, journeys: int = 100) -> dict[str, float]:
    interval = 1 / rate_for("who")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fake = FakeTelegram()
        app = await start_ours(fake, work)  # migrates the new database
        await app.start()
        await stop_ours(app)
        seed(work / "bot.sqlite3", names)
        app = await start_ours(fake, work)
        driver = Driver(app)
        await app.start()
        print(f"\n== Paging the public list under attack: {names:,} public names ==")
        first_ms, far_ms = await _page_ms(app)
        print(f"   first page read         {first_ms:10.2f} ms")
        print(f"   forged far page read    {far_ms:10.2f} ms   target <= the first page")
        await _journeys(fake, driver, 8, 0)  # warm-up
        alone = await _journeys(fake, driver, journeys, 100)
        before = pct(alone)
        print(
            f"   journey p99, alone      {before * 1000:10.0f} ms   ({journeys} journeys, 4 at once;"
            f" p50 {pct(alone, 0.5) * 1000:.0f} ms)"
        )
        stop = asyncio.Event()
        attackers = [LeanUser(fake, driver, first_name=f"A{i}") for i in range(ATTACKERS)]
        pressing = [asyncio.create_task(_attacker(a, interval, stop)) for a in attackers]
        started = time.perf_counter()
        attacked = await _journeys(fake, driver, journeys, 1000)
        seconds = time.perf_counter() - started
        stop.set()
        presses = sum(await asyncio.gather(*pressing))
        await stop_ours(app)
    during = pct(attacked)
    print(
        f"   journey p99, attacked   {during * 1000:10.0f} ms   target <= 2x alone "
        f"({during / before:.1f}x; p50 {pct(attacked, 0.5) * 1000:.0f} ms)"
    )
    print(
        f"   page presses            {presses / seconds:10.1f} /s   ({ATTACKERS} accounts, "
        f"one every {interval:.2f} s each, forged and real in turn)"
    )
    return {"first_ms": first_ms, "far_ms": far_ms, "p99_alone": before, "p99_attacked": during}


if __name__ == "__main__":
    asyncio.run(bench(300_000))
