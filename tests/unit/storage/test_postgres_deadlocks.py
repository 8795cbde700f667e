"""Two write transactions that really deadlock on the PostgreSQL server: the engine's `atomic`
runs the one the server rolled back again, and gives up after its retries with nothing of it
left behind (bot.storage.postgres, README "PostgreSQL", Writes)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from bot.storage import postgres as pg
from bot.storage.postgres import PostgresDatabase, SyncConnection
from bot.storage.signatures import count_in
from tests.support.postgres import Server

# The server looks for a deadlock after this long waiting for a lock (default a second).
_QUICK_CHECK = "&options=-c%20deadlock_timeout%3D100"
_ADD = (
    "INSERT INTO counter_shards (campaign, shard, signatures) VALUES (?, 0, 1)"
    " ON CONFLICT (campaign, shard) DO UPDATE"
    " SET signatures = counter_shards.signatures + 1"
)
_SIGN = (
    "INSERT INTO signatures (campaign, signer, public, language, signed_at)"
    " VALUES (?, ?, 0, 'en', 1)"
)
_RERUN = "a write met another in a deadlock; running it again"


def _url(server: Server | None) -> str:
    if server is None:
        pytest.skip("no PostgreSQL server")
    return server.new_database() + _QUICK_CHECK


async def _counts(db: PostgresDatabase, campaigns: tuple[str, ...]) -> list[int]:
    return await db.read(lambda conn: [count_in(conn, c) for c in campaigns])


async def _signers(db: PostgresDatabase) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT campaign, signer FROM signatures ORDER BY campaign, signer")
    return [(str(c), str(s)) for c, s in rows]


async def test_two_writes_that_deadlock_are_both_committed_once(
    postgres_server: Server | None, caplog: pytest.LogCaptureFixture
) -> None:
    """Each signs both campaigns, in opposite orders: each holds the row of one count the
    other then wants. The server rolls one back; it runs again and both count once."""
    db = PostgresDatabase(_url(postgres_server))
    await db.open()
    try:
        # Both hold their first count's row before either asks for the other's.
        both_hold_one = threading.Barrier(2, timeout=10)
        runs: list[str] = []

        def signing(signer: str, first: str, then: str) -> Callable[[SyncConnection], None]:
            def work(conn: SyncConnection) -> None:
                runs.append(signer)
                for campaign in (first, then):
                    conn.execute(_SIGN, (campaign, signer))
                    conn.execute(_ADD, (campaign,))
                    if campaign == first and runs.count(signer) == 1:
                        both_hold_one.wait()

            return work

        caplog.set_level(logging.INFO, logger=pg.__name__)
        await asyncio.gather(
            db.atomic(signing("ann", "one", "two"), shared=True),
            db.atomic(signing("bob", "two", "one"), shared=True),
        )

        assert [r.getMessage() for r in caplog.records].count(_RERUN) == 1
        assert len(runs) == 3 and set(runs) == {"ann", "bob"}
        assert await _signers(db) == [
            ("one", "ann"),
            ("one", "bob"),
            ("two", "ann"),
            ("two", "bob"),
        ]
        assert await _counts(db, ("one", "two")) == [2, 2]
    finally:
        await db.close()


async def test_a_write_that_keeps_deadlocking_fails_with_nothing_of_it_kept(
    postgres_server: Server | None, caplog: pytest.LogCaptureFixture
) -> None:
    """Every run meets a new transaction that holds the row it wants and waits for the one it
    holds; after its runs the deadlock stands, and neither its signature nor its count is
    there."""
    url = _url(postgres_server)
    db = PostgresDatabase(url)
    await db.open()
    await db.atomic(lambda conn: [conn.execute(_ADD, (c,)) for c in ("one", "two")])
    others: list[threading.Thread] = []

    def other_holding_two(pids: list[int]) -> None:
        """Holds the count of `two`, then waits for the row of `one`: never the one the server
        rolls back, as it looks for a deadlock only after ten seconds."""
        with psycopg.connect(url) as conn:
            conn.execute("SET deadlock_timeout = '10s'")
            conn.execute("UPDATE counter_shards SET signatures = signatures WHERE campaign = 'two'")
            pids.append(conn.info.backend_pid)
            conn.execute("UPDATE counter_shards SET signatures = signatures WHERE campaign = 'one'")

    def work(conn: SyncConnection) -> None:
        conn.execute(_SIGN, ("one", "cat"))
        conn.execute(_ADD, ("one",))
        pids: list[int] = []
        other = threading.Thread(target=other_holding_two, args=(pids,))
        others.append(other)
        other.start()
        # Only once the other waits for `one` does this wait for `two` close the circle.
        while (
            not pids
            or not conn.execute(
                "SELECT 1 FROM pg_locks WHERE pid = ? AND NOT granted", (pids[0],)
            ).fetchone()
        ):
            time.sleep(0.01)
        conn.execute(_SIGN, ("two", "cat"))
        conn.execute(_ADD, ("two",))

    try:
        caplog.set_level(logging.INFO, logger=pg.__name__)
        with pytest.raises(psycopg.errors.DeadlockDetected):
            await db.atomic(work, shared=True)
        for other in others:
            await asyncio.to_thread(other.join, 10)

        assert len(others) == pg._ATTEMPTS
        assert [r.getMessage() for r in caplog.records].count(_RERUN) == pg._ATTEMPTS - 1
        assert await _signers(db) == []
        assert await _counts(db, ("one", "two")) == [1, 1]
    finally:
        await db.close()
