"""Signatures per second on SQLite and on PostgreSQL with one worker and with two, with the
memory-hard pseudonym; the p99 time per tap; and what a withdrawal leaves in PostgreSQL's
files (pages and WAL), measured on a real server the benchmark starts (tests/support/postgres).

Two workers are two Applications in this process, each with its own pool, caches and update
queue, on one database, the people split between them: the same coordination as two
processes (only the database), with the memory-hard computations on threads in both. On a
2-core machine that function already uses every core from one worker, so the second worker
buys availability, not speed: the figure is reported, not targeted.

Then counting under load: sign buttons' transactions alone on one campaign, as they ran before
(one at a time, one counter row) and as they run now (side by side, each count in 16 rows).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import psycopg

from bench.signing import journey, start_ours, stop_ours
from bot.config.table import PSEUDONYM_MINIMUM
from bot.domain.signatures import Draft, Step
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage.postgres import PostgresDatabase
from bot.storage.shards import SHARDS, shard_of
from bot.telegram.context import BotApp
from tests.support import postgres
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser


async def _sign(apps: list[BotApp], fake: FakeTelegram, users: int) -> tuple[float, list[float]]:
    """Seconds for `users` whole journeys spread over the apps, and every tap's time."""
    drivers = [Driver(app) for app in apps]
    for app in apps:
        await app.start()
    people = [LeanUser(fake, drivers[i % len(drivers)], first_name=f"P{i}") for i in range(users)]
    gate = asyncio.Semaphore(100)

    async def one(i: int) -> None:
        async with gate:
            await journey(people[i], i)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(users)))
    seconds = time.perf_counter() - started
    thanked = sum(1 for p in people if "Thank you" in p.last_bot_message()["text"])
    if thanked != users:
        raise AssertionError(f"only {thanked} of {users} were thanked")
    return seconds, [t for d in drivers for t in d.latencies]


async def _run(users: int, workers: int, url: str | None) -> tuple[float, float]:
    """Signatures per second and the p99 per tap (ms)."""
    fake = FakeTelegram()
    extra = {"PSEUDONYM_COST": PSEUDONYM_MINIMUM.text}
    if url:
        extra["DATABASE_URL"] = url
    with tempfile.TemporaryDirectory() as tmp:
        apps = [await start_ours(fake, Path(tmp), **extra) for _ in range(workers)]
        try:
            seconds, taps = await _sign(apps, fake, users)
            rows = await apps[0].runtime.services.db.scalar("SELECT COUNT(*) FROM signatures")
            assert rows == users, (rows, users)
        finally:
            for app in apps:
                await stop_ours(app)
    taps.sort()
    return users / seconds, taps[int(0.99 * (len(taps) - 1))] * 1000


def _found(folder: Path, needle: bytes) -> tuple[int, int]:
    """Copies of `needle` in the data files and in the WAL."""
    pages = wal = 0
    for root, _, files in os.walk(folder):
        for name in files:
            count = Path(root, name).read_bytes().count(needle)
            if "pg_wal" in root:
                wal += count
            else:
                pages += count
    return pages, wal


def erasure(server: postgres.Server) -> None:
    """A withdrawn name in PostgreSQL's files: after DELETE, after VACUUM (what the bot runs),
    and how much later WAL it takes until no segment holds it."""
    url = server.new_database()
    name = "Zyxwvut Withdrawn"
    data = server.folder / "data"
    insert = (
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
        " VALUES ('c', %s, %s, 1, 'en', 1)"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        for i in range(30):
            conn.execute(insert, (f"other{i}", "Another Name"))
        conn.execute(insert, ("gone", name))  # the newest row: where the page's free space starts
        conn.execute("CHECKPOINT")
        signed = _found(data, name.encode())
        conn.execute("DELETE FROM signatures WHERE signer = 'gone'")
        conn.execute("CHECKPOINT")
        deleted = _found(data, name.encode())
        conn.execute("VACUUM signatures")
        conn.execute("CHECKPOINT")
        vacuumed = _found(data, name.encode())
        start = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
        conn.execute("CREATE TABLE filler (x text)")
        written = 0
        while _found(data, name.encode())[1] and written < 1024:
            conn.execute(
                "INSERT INTO filler SELECT repeat('f', 1000) FROM generate_series(1, 4000)"
            )
            conn.execute("CHECKPOINT")
            moved = conn.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (start[0] if start else 0,)
            ).fetchone()
            written = int(moved[0]) // 2**20 if moved else 0
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN"
                " ('min_wal_size', 'wal_segment_size', 'wal_recycle')"
            ).fetchall()
        )
    print("\n== What a withdrawal leaves in PostgreSQL's files (copies in pages, in WAL) ==")
    print(f"   signed, checkpointed    {signed}")
    print(f"   deleted                 {deleted}")
    print(f"   after VACUUM            {vacuumed}   (what the bot runs after each erasure)")
    print(f"   WAL written until no segment holds it: {written} MB ({settings})")


async def _record_all(url: str, signers: int, shared: bool, rows: int) -> float:
    """Signatures/s of `signers` sign buttons' transactions, 32 at a time, on one campaign:
    the write lock `shared` or taken alone, each count in `rows` rows."""
    db = PostgresDatabase(url)  # DATABASE_POOL_SIZE's default
    await db.open()
    try:
        drafts = [
            Draft(f"person{i}", "hot", Step.PREVIEW, name=f"Signer {i}") for i in range(signers)
        ]
        for draft in drafts:
            await draft_store.replace_if(db, None, draft)
        gate = asyncio.Semaphore(32)

        async def one(draft: Draft) -> None:
            def work(conn: Any) -> object:
                return signature_store.record(
                    conn,
                    draft,
                    signer=draft.person,
                    seal="00" * 48,
                    block=draft.person,
                    language="en",
                    now=1,
                )

            async with gate:
                await db.atomic(work, shared=shared)

        with patch.object(signature_store, "shard_of", lambda key: shard_of(key) % rows):
            started = time.perf_counter()
            await asyncio.gather(*(one(d) for d in drafts))
            seconds = time.perf_counter() - started
        assert await signature_store.count(db, "hot") == signers
        return signers / seconds
    finally:
        await db.close()


async def counting(server: postgres.Server, signers: int) -> None:
    """Sign buttons alone (no memory-hard function, no Telegram) on one campaign, on a durable
    server (fsync and synchronous commit on, as in production): each COMMIT waits for the
    disk, and a row every signature updates makes each wait for the previous one's."""
    server.admin("ALTER SYSTEM SET fsync = on")
    server.admin("ALTER SYSTEM SET synchronous_commit = on")
    server.admin("SELECT pg_reload_conf()")
    print(f"\n== Counting under load: {signers} sign buttons on one campaign, 32 at a time ==")
    for label, shared, rows in (
        ("one at a time, one row (before)", False, 1),
        ("side by side, one row", True, 1),
        (f"side by side, {SHARDS} rows (now)", True, SHARDS),
    ):
        rate = await _record_all(server.new_database(), signers, shared, rows)
        print(f"   {label:34} {rate:8.1f}/s")


async def bench(users: int) -> None:
    server, reason = await asyncio.to_thread(postgres.start)
    if server is None:
        print(f"\n== PostgreSQL: skipped ({reason}) ==")
        return
    try:
        print(f"\n== Signatures/s with the memory-hard pseudonym ({PSEUDONYM_MINIMUM.text}) ==")
        print(f"   {users} people, whole journey, {os.cpu_count()} cores; p99 per tap")
        for label, workers, url in (
            ("SQLite", 1, None),
            ("PostgreSQL, one worker", 1, server.new_database()),
            ("PostgreSQL, two workers", 2, server.new_database()),
        ):
            rate, p99 = await _run(users, workers, url)
            print(f"   {label:26} {rate:8.1f}/s   p99 {p99:7.1f} ms")
        erasure(server)
        await counting(server, users * 5)
    finally:
        postgres.stop(server)
