"""Signing throughput: N distinct users through the full journey, against a minimal PTB bot.

Both bots run in this process with the in-process fake Telegram and are fed through
`app.update_queue` (what polling and webhooks do), so per-user ordering and cross-user
concurrency are the production ones. The rate limiter is off in both (rate_limit=False): it
exists to respect Telegram's limits, which the fake does not impose on private chats.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.dbcount import DbCount
from bot.config import load_settings
from bot.config.table import INSECURE_TEST, PSEUDONYM_MINIMUM
from bot.storage.sqlite import SqliteDatabase
from bot.telegram.app import build_fleet
from bot.telegram.context import BotApp
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1234567:AAbench-token-for-the-fake-telegram-xyz"
CAMPAIGN = "medical-access"
# The flow before the three-tap redesign (issue 14), measured by this benchmark then: start,
# Sign, name, Skip, Skip, Show my name, Confirm.
BEFORE_UPDATES, BEFORE_CALLS = 7, 12.0


def bench_settings(workdir: Path, **extra: str) -> Any:
    env = {
        "BOT_TOKEN": TOKEN,
        "DATABASE_PATH": str(workdir / "bot.sqlite3"),
        "CAMPAIGNS_DIR": str(ROOT / "campaigns"),
        "SIGNER_KEY": "b" * 64,
        "BOT_API_BASE_URL": "http://fake.invalid/bot",
        "PSEUDONYM_COST": INSECURE_TEST,  # the fast-hash figures; `production` below measures
        **extra,
    }
    return load_settings(env, dotenv=False)


async def start_ours(fake: FakeTelegram, workdir: Path, **extra: str) -> BotApp:
    settings = bench_settings(workdir, **extra)
    fleet = build_fleet(settings, request=fake.request(), rate_limit=False)
    await fleet.open()
    return fleet.apps[0]


async def stop_ours(app: BotApp) -> None:
    await app.runtime.fleet.close()


async def journey(user: LeanUser, n: int) -> int:
    """start → Sign → type name → Sign with my name (the shortest path); returns updates."""
    await user.send(f"/start {CAMPAIGN}")
    await user.press("Sign")
    await user.send(f"Signer Number{n}")
    await user.press("Sign with my name")
    return 4


async def journey_with_extras(user: LeanUser, n: int) -> int:
    """start → Sign → Use name → Add role and organisation → two lines → sign."""
    await user.send(f"/start {CAMPAIGN}")
    await user.press("Sign")
    await user.press("Use “")
    await user.press("Add role and organisation")
    await user.send(f"Teacher\nSchool Number{n}")
    await user.press("Sign with my name")
    return 6


Journey = Callable[[LeanUser, int], Awaitable[int]]


@dataclass
class Run:
    users: int
    updates: int
    seconds: float
    latencies: list[float]
    calls: int
    new_messages: int
    slow_per_user: float = 0.0  # slow pseudonym computations per user
    rss_mb: float = 0.0  # resident memory at the end of the run
    round_trips: float = 0.0  # database round trips per user (bench.dbcount)
    writes: float = 0.0  # write transactions per user

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def rss_mb() -> float:
    """Resident memory now (not the peak), from /proc; 0 where there is none."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def run_ours(
    users: int, concurrency: int, workdir: Path, path: Journey = journey, **extra: str
) -> tuple[Run, int, int, FakeTelegram, list[list[dict[str, Any]]]]:
    """The run, signatures in the table, the stored counter, the fake, each user's updates."""
    fake = FakeTelegram()
    app = await start_ours(fake, workdir, **extra)
    driver = Driver(app)
    driver.recorded = []
    await app.start()
    people = [LeanUser(fake, driver, first_name=f"U{i}") for i in range(users)]
    gate = asyncio.Semaphore(concurrency)
    calls_before = len(fake.calls)
    count = DbCount()
    db = app.runtime.services.db
    if isinstance(db, SqliteDatabase):
        await count.watch(db.conn, db.reader)

    steps: list[int] = []

    async def one(i: int) -> None:
        async with gate:
            steps.append(await path(people[i], i))

    gc.collect()
    gc.freeze()  # set-up objects out of the collector's way: see `bench` below
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(users)))
    seconds = time.perf_counter() - started
    calls = len(fake.calls) - calls_before
    trips, writes = count.round_trips / users, count.writes / users
    svc = app.runtime.services
    rows = await svc.db.scalar("SELECT COUNT(*) FROM signatures")
    # The settled count plus what signatures added since, spread over rows (migration 0026).
    counter = await svc.db.scalar(
        "SELECT (SELECT COALESCE(SUM(signatures), 0) FROM counters)"
        " + (SELECT COALESCE(SUM(signatures), 0) FROM counter_shards)"
    )
    thanked = sum(1 for p in people if "Thank you" in p.last_bot_message()["text"])
    slow_per_user, resident = svc.bases.computed / users, rss_mb()
    await stop_ours(app)
    fake.assert_no_violations()
    if thanked != users:
        raise AssertionError(f"only {thanked} of {users} users were thanked")
    new = sum(p.bot_messages() for p in people)
    gc.unfreeze()
    run = Run(
        users,
        sum(steps),
        seconds,
        driver.latencies,
        calls,
        new,
        slow_per_user,
        resident,
        trips,
        writes,
    )
    per_user: dict[int, list[dict[str, Any]]] = {}
    for data in driver.recorded:
        kind = "message" if "message" in data else "callback_query"
        per_user.setdefault(data[kind]["from"]["id"], []).append(data)
    return run, rows, counter, fake, list(per_user.values())


async def run_minimal(
    fake: FakeTelegram, streams: list[list[dict[str, Any]]], concurrency: int
) -> Run:
    """The framework's ceiling: the very same update payloads, each answered with one
    sendMessage, with the same per-user order and the same number of users in flight."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url("http://fake.invalid/bot")
        .request(fake.request())
        .get_updates_request(fake.request())
        .concurrent_updates(256)
        .build()
    )
    app.add_handler(CommandHandler("start", reply))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, reply))
    app.add_handler(CallbackQueryHandler(reply))
    await app.initialize()
    driver = Driver(app)
    await app.start()
    gate = asyncio.Semaphore(concurrency)
    before = len(fake.calls)

    async def one(stream: list[dict[str, Any]]) -> None:
        async with gate:
            for data in stream:
                await driver.feed_dict(data)

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in streams))
    seconds = time.perf_counter() - started
    calls = len(fake.calls) - before
    await app.stop()
    await app.shutdown()
    updates = sum(len(s) for s in streams)
    return Run(len(streams), updates, seconds, driver.latencies, calls, calls)


async def bench(users: int, concurrency: int = 500) -> dict[str, float]:
    """Why signatures/s used to fall with the number of users (230/s at 1,000, 120/s at
    10,000 in-process, while a real process over HTTP stayed flat): the fake Telegram keeps
    every message and call, and the driver every update, so the heap grows with the run and
    each full garbage collection walks all of it. Freezing the set-up objects and keeping
    the recorded updates out of collections (gc.freeze) makes the figure a property of the
    bot, not of the run's length; the 'per 1,000 users' line below shows it."""
    with tempfile.TemporaryDirectory() as tmp:
        ours, rows, counter, fake, streams = await run_ours(users, concurrency, Path(tmp))
    minimal = await run_minimal(fake, streams, concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        small, *_ = await run_ours(min(users, 1000), concurrency, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        extras, *_ = await run_ours(200, concurrency, Path(tmp), journey_with_extras)
    if rows != users or counter != users:
        raise AssertionError(f"{users} users, {rows} rows, counter {counter}")
    ratio = ours.per_second / minimal.per_second
    with tempfile.TemporaryDirectory() as tmp:
        slow, *_ = await run_ours(
            min(users // 10, 1000), 100, Path(tmp), PSEUDONYM_COST=PSEUDONYM_MINIMUM.text
        )
    per_signature = ours.updates / users
    print(f"\n== Signing throughput: {users:,} users, shortest path ==")
    print("   (real Application, update_queue -> PerUserProcessor, in-process fake Telegram,")
    print(f"    rate_limit=False, up to {concurrency} users in flight)")
    print(f"   signatures/s            {users / ours.seconds:10,.0f}   target >= 1,000")
    print(
        f"   signatures/s, 1,000 u.  {small.users / small.seconds:10,.0f}   (same bot, shorter run)"
    )
    print(f"   updates/s (ours)        {ours.per_second:10,.0f}")
    print(f"   p50 / p99 per update    {ours.pct(0.5):7.1f} ms / {ours.pct(0.99):.1f} ms")
    print(
        f"   new messages/signature  {ours.new_messages / users:10.2f}   target 1 "
        f"| with role+org: {extras.new_messages / extras.users:.2f}"
    )
    print(
        f"   updates/signature       {per_signature:10.2f}   before: {BEFORE_UPDATES} "
        f"| with role+org: {extras.updates / extras.users:.2f}"
    )
    print(
        f"   Bot API calls/signature {ours.calls / users:10.2f}   before: {BEFORE_CALLS:.1f} "
        f"| with role+org: {extras.calls / extras.users:.2f}"
    )
    print(f"   rows / counter          {rows:,} / {counter:,}")
    print(
        f"   minimal PTB bot         {minimal.per_second:10,.0f} updates/s "
        f"(p50 {minimal.pct(0.5):.1f} ms, one call per update)"
    )
    print(f"   ratio ours/minimal      {ratio:10.2f}   target >= 0.5")
    print(f"\n== New signers/s with the production pseudonym cost ({PSEUDONYM_MINIMUM.text}) ==")
    print(f"   {slow.users:,} users, whole journey, {os.cpu_count()} cores")
    print(f"   new signers/s           {slow.users / slow.seconds:10,.1f}   target >= 25")
    print(f"   same run's fast hash    {small.users / small.seconds:10,.1f}   (signatures/s above)")
    print(f"   slow computations/user  {slow.slow_per_user:10.2f}   (one per person: cached)")
    print(f"   p50 / p99 per update    {slow.pct(0.5):7.1f} ms / {slow.pct(0.99):.1f} ms")
    print(f"   resident memory at end  {ours.rss_mb:10.0f} MB   (the fake keeps every message:")
    print("                                         `--only memory` measures the bot's own)")
    return {
        "signatures_per_s": users / ours.seconds,
        "ratio": ratio,
        "messages_per_signature": ours.new_messages / users,
        "messages_per_signature_with_extras": extras.new_messages / extras.users,
        "calls_per_signature": ours.calls / users,
    }


if __name__ == "__main__":
    asyncio.run(bench(1000))
