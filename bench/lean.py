"""The lean baseline (issue 32): a bot that makes exactly our Bot API calls per signature, with
the same texts and keyboards, and one database transaction per update, in the same process.

It knows nothing but the shortest path (start, Sign, the typed name, Sign with my name): each
update is one hop to its SQLite thread that runs one transaction (a draft row moved a step, the
signature and the counter at the end), then the recorded calls of that step, the callback answer
and the deletion of the typed name alongside the edit, as ours makes them. Our ratio to it says
what everything else we do costs. `DbCount` counts database round trips and write transactions
the same way for both (bench.dbcount).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bench.dbcount import DbCount
from bench.signing import CAMPAIGN, TOKEN, Run, journey, run_ours, start_ours, stop_ours
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

# The calls of each of the four updates: (method, params) as ours made them for one person.
Steps = list[list[tuple[str, dict[str, Any]]]]


async def record_steps() -> Steps:
    """Our calls for each update of one shortest-path signature, from a real journey."""
    fake = FakeTelegram()
    with tempfile.TemporaryDirectory() as tmp:
        app = await start_ours(fake, Path(tmp))
        driver = Driver(app)
        await app.start()
        user = LeanUser(fake, driver, first_name="Recorded")
        steps: Steps = []
        for kind, what in (
            ("send", f"/start {CAMPAIGN}"),
            ("press", "Sign"),
            ("send", "Signer Number0"),
            ("press", "Sign with my name"),
        ):
            before = len(fake.calls)
            await (user.send(what) if kind == "send" else user.press(what))
            await app.runtime.side_calls.settle()
            steps.append([(c.method, dict(c.params)) for c in fake.calls[before:]])
        await stop_ours(app)
    return steps


_SCHEMA = (
    "CREATE TABLE drafts (person TEXT PRIMARY KEY, step INTEGER, message_id INTEGER, name TEXT)",
    "CREATE TABLE signatures (campaign TEXT, person TEXT, name TEXT, signed_at INTEGER,"
    " PRIMARY KEY (campaign, person))",
    "CREATE TABLE counters (campaign TEXT PRIMARY KEY, signatures INTEGER)",
)


def _in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], Any]) -> Any:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class LeanBot:
    """The baseline's handler and its database (None: the lean bot without one)."""

    def __init__(self, steps: Steps, db: aiosqlite.Connection | None) -> None:
        self._steps = steps
        self._db = db
        self._key = b"k" * 32
        self._held: dict[str, int] = {}  # without a database: each person's message id
        self._sign = next(
            b["callback_data"]
            for row in steps[0][0][1]["reply_markup"]["inline_keyboard"]
            for b in row
            if "callback_data" in b and "Sign" in b["text"]
        )

    async def _atomic(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        if self._db is None:
            return 0
        return await self._db._execute(_in_transaction, self._db._conn, work)  # type: ignore[no-untyped-call]

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None and update.effective_user is not None
        person = hmac.new(self._key, str(update.effective_user.id).encode(), hashlib.sha256)
        who, now = person.hexdigest(), int(time.time())
        query, message = update.callback_query, update.message
        at: dict[str, Any] = {"chat_id": chat.id}
        if message is not None and message.text and message.text.startswith("/start"):
            step = 0
            await self._atomic(
                lambda c: c.execute(
                    "INSERT INTO drafts (person, step) VALUES (?, 0)"
                    " ON CONFLICT (person) DO UPDATE SET step = 0",
                    (who,),
                )
            )
        elif message is not None:
            step, at["delete"] = 2, message.message_id
            name = message.text
            at["message_id"] = await self._atomic(
                lambda c: c.execute(
                    "UPDATE drafts SET step = 2, name = ? WHERE person = ? RETURNING message_id",
                    (name, who),
                ).fetchone()[0]
            ) or self._held.pop(who)
        else:
            assert query is not None and query.message is not None
            at["message_id"], at["callback_query_id"] = query.message.message_id, query.id
            if query.data == self._sign:
                step, mid = 1, query.message.message_id
                if self._db is None:
                    self._held[who] = mid
                await self._atomic(
                    lambda c: c.execute(
                        "UPDATE drafts SET step = 1, message_id = ? WHERE person = ?", (mid, who)
                    )
                )
            else:
                step = 3
                await self._atomic(lambda c: _sign(c, who, now))
        await asyncio.gather(*(self._call(context, m, p, at) for m, p in self._steps[step]))

    @staticmethod
    async def _call(
        context: ContextTypes.DEFAULT_TYPE, method: str, params: dict[str, Any], at: dict[str, Any]
    ) -> None:
        kwargs = dict(params)
        if "chat_id" in params:
            kwargs["chat_id"] = at["chat_id"]
        if "message_id" in params:
            kwargs["message_id"] = at.get("delete" if method == "deleteMessage" else "message_id")
        if "callback_query_id" in params:
            kwargs["callback_query_id"] = at["callback_query_id"]
        await context.bot.do_api_request(method, api_kwargs=kwargs)


def _sign(conn: sqlite3.Connection, who: str, now: int) -> int:
    """The draft becomes a signature and the counter moves, in the update's one transaction."""
    name = conn.execute("DELETE FROM drafts WHERE person = ? RETURNING name", (who,)).fetchone()[0]
    conn.execute(
        "INSERT INTO signatures (campaign, person, name, signed_at) VALUES (?, ?, ?, ?)",
        (CAMPAIGN, who, name, now),
    )
    row = conn.execute(
        "INSERT INTO counters (campaign, signatures) VALUES (?, 1) ON CONFLICT (campaign)"
        " DO UPDATE SET signatures = signatures + 1 RETURNING signatures",
        (CAMPAIGN,),
    ).fetchone()
    return int(row[0])


async def run_lean(
    fake: FakeTelegram,
    steps: Steps,
    users: int,
    concurrency: int,
    workdir: Path | None,
    count: DbCount | None = None,
) -> Run:
    """`users` new people through the shortest path against the lean bot, as ours is run;
    without `workdir`, the lean bot without a database."""
    db = None
    if workdir is not None:
        db = await aiosqlite.connect(workdir / "lean.sqlite3", isolation_level=None)
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", *_SCHEMA):
            await db.execute_fetchall(pragma)
    lean = LeanBot(steps, db)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url("http://fake.invalid/bot")
        .request(fake.request())
        .get_updates_request(fake.request())
        .concurrent_updates(concurrency)
        .build()
    )
    app.add_handler(TypeHandler(Update, lean.handle))
    await app.initialize()
    driver = Driver(app)
    await app.start()
    people = [LeanUser(fake, driver, first_name=f"L{i}") for i in range(users)]
    gate = asyncio.Semaphore(concurrency)
    before = len(fake.calls)
    if db is not None and count is not None:
        await count.watch(db)

    async def one(i: int) -> int:
        async with gate:
            return await journey(people[i], i)

    started = time.perf_counter()
    updates = sum(await asyncio.gather(*(one(i) for i in range(users))))
    seconds = time.perf_counter() - started
    calls = len(fake.calls) - before
    trips, writes = (count.round_trips, count.writes) if count is not None else (0, 0)
    await app.stop()
    await app.shutdown()
    fake.assert_no_violations()
    if db is not None:
        signed = await db.execute_fetchall("SELECT COUNT(*) FROM signatures")
        await db.close()
        if next(iter(signed))[0] != users:
            raise AssertionError(f"the lean bot recorded {signed} of {users}")
    run = Run(users, updates, seconds, driver.latencies, calls, calls)
    run.round_trips, run.writes = trips / users, writes / users
    return run


# Main before issue 32's point 3 (0b28864), measured by this benchmark on the 2-core machine.
BEFORE_TRIPS, BEFORE_WRITES, BEFORE_RATIO, BEFORE_RATIO_NO_DB = 16.02, 6.00, 0.28, 0.27


async def bench(users: int, rounds: int, concurrency: int = 500) -> dict[str, float]:
    """Ours, the lean persistent bot and the lean bot without a database, the same number of
    new people each, taken in turn `rounds` times (best of each: the machine is shared)."""
    steps = await record_steps()
    ours: list[Run] = []
    lean: list[Run] = []
    bare: list[Run] = []
    count = DbCount()
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            ours.append((await run_ours(users, concurrency, Path(tmp)))[0])
        with tempfile.TemporaryDirectory() as tmp:
            lean.append(await run_lean(FakeTelegram(), steps, users, concurrency, Path(tmp), count))
        bare.append(await run_lean(FakeTelegram(), steps, users, concurrency, None))
    best_ours, best_lean, best_bare = (
        max(r, key=lambda run: run.users / run.seconds) for r in (ours, lean, bare)
    )
    rate = {name: r.users / r.seconds for name, r in (("ours", best_ours), ("lean", best_lean))}
    rate["bare"] = best_bare.users / best_bare.seconds
    ratio, ratio_bare = rate["ours"] / rate["lean"], rate["ours"] / rate["bare"]
    calls = ", ".join(m for step in steps for m, _ in step)
    print(f"\n== Ours against the lean baseline: {users:,} new people, shortest path ==")
    print(f"   (the same {sum(map(len, steps))} Bot API calls, texts and keyboards: {calls};")
    print(f"    up to {concurrency} in flight, best of {rounds} taken in turn)")
    print(
        f"   signatures/s            {rate['ours']:10,.0f} ours, {rate['lean']:,.0f} lean "
        f"persistent, {rate['bare']:,.0f} lean without a database"
    )
    print(f"   ratio to lean persistent {ratio:9.2f}   target >= 0.8 (before: {BEFORE_RATIO})")
    print(f"   ratio to lean, no DB     {ratio_bare:9.2f}   (before: {BEFORE_RATIO_NO_DB})")
    print(
        f"   DB round trips/signature {best_ours.round_trips:9.2f}   lean: "
        f"{best_lean.round_trips:.2f} (before: {BEFORE_TRIPS})"
    )
    print(
        f"   write transactions/sig.  {best_ours.writes:9.2f}   lean: "
        f"{best_lean.writes:.2f} (before: {BEFORE_WRITES:.2f})"
    )
    return {
        "ratio_lean": ratio,
        "ratio_bare": ratio_bare,
        "round_trips": best_ours.round_trips,
        "writes": best_ours.writes,
    }


if __name__ == "__main__":
    asyncio.run(bench(500, 1))
