"""One aiosqlite connection for the whole bot, with writes serialised.

SQLite allows one writer at a time; on a shared connection two interleaved transactions would
silently merge, so every write goes through `transaction()`, which holds an asyncio lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

log = logging.getLogger(__name__)
# Shipped inside the package (bot/migrations links to the top-level folder in a checkout).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = tuple[Any, ...]
T = TypeVar("T")


def _in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Runs on aiosqlite's worker thread: BEGIN IMMEDIATE, `work`, COMMIT (ROLLBACK on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self, migrations_dir: Path | None = None) -> None:
        migration_files(migrations_dir)  # a broken install creates no database file
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            "PRAGMA secure_delete=ON",
        ):
            await self.fetchall(pragma)
        await apply_migrations(self, migrations_dir)

    async def close(self) -> None:
        if self._conn is not None:
            await self.fetchall("PRAGMA optimize")
            await self._conn.close()
            self._conn = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the write lock; rolls back on any exception."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def purge_wal(self) -> None:
        """Checkpoints and empties the WAL, which still holds old copies of erased rows.

        secure_delete zeroes erased rows in the database file, but the write-ahead log keeps
        earlier page images until it is checkpointed and truncated; an erasure is only real
        after this.
        """
        async with self._write_lock:
            # Fetched and closed: a pragma's unread row would keep a statement open, and a
            # later COMMIT would fail with "SQL statements in progress".
            await self.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def atomic(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """One write transaction in a single round trip to the database thread.

        Every aiosqlite call is a hop to its worker thread and back (~50 µs, more under load);
        a signature took a dozen of them with `transaction()`. `work` gets the raw sqlite3
        connection, runs on that thread (so it must not touch the event loop) and is wrapped in
        BEGIN IMMEDIATE ... COMMIT under the same write lock as `transaction()`.
        """
        async with self._write_lock:
            conn = self.conn
            # aiosqlite's own dispatch to its worker thread (it has no public one for a callable).
            result = await conn._execute(_in_transaction, conn._conn, work)  # type: ignore[no-untyped-call]
            return cast(T, result)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        # execute_fetchall is one hop to the database thread; execute+fetchone+close was three.
        rows = await self.conn.execute_fetchall(sql, tuple(params))
        for row in rows:
            return tuple(row)
        return None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        rows = await self.conn.execute_fetchall(sql, tuple(params))
        return [tuple(r) for r in rows]

    async def scalar(self, sql: str, params: Iterable[Any] = (), default: Any = None) -> Any:
        row = await self.fetchone(sql, params)
        return row[0] if row is not None and row[0] is not None else default

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """A single-statement write in its own transaction; returns the rows changed."""
        args = tuple(params)
        return await self.atomic(lambda conn: conn.execute(sql, args).rowcount)

    async def stream_batches(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000
    ) -> AsyncIterator[list[Row]]:
        """Rows in batches, so exports of a million signatures use constant memory.

        The next batch is requested before the current one is handed out, so SQLite (which
        releases the GIL while stepping) reads ahead while the consumer formats rows: a
        two-batch window, still constant memory.
        """
        async with self.conn.execute(sql, tuple(params)) as cur:
            ahead = asyncio.ensure_future(cur.fetchmany(batch))
            try:
                while rows := await ahead:
                    ahead = asyncio.ensure_future(cur.fetchmany(batch))
                    yield cast(list[Row], rows)  # sqlite3 rows are plain tuples here
            finally:
                if not ahead.done():
                    with contextlib.suppress(Exception):
                        await ahead

    async def stream(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000
    ) -> AsyncIterator[Row]:
        """The rows of `stream_batches` one by one."""
        async for rows in self.stream_batches(sql, params, batch):
            for row in rows:
                yield row


class MigrationError(Exception):
    """Migrations missing, malformed or older than the database: the bot must not start."""


def migration_files(migrations_dir: Path | None = None) -> list[tuple[int, Path]]:
    migrations_dir = migrations_dir or MIGRATIONS_DIR
    if not migrations_dir.is_dir():
        raise MigrationError(f"migrations folder {migrations_dir} is missing: reinstall the bot")
    found = []
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name must be NNNN_name.sql: {path.name}")
        found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(
            f"migrations must be numbered 0001, 0002, ... without gaps: {versions}"
        )
    if not found:
        raise MigrationError(f"migrations folder {migrations_dir} holds no migration")
    return found


def _statements(script: str) -> list[str]:
    """Splits a migration into statements (complete_statement respects quotes and triggers)."""
    import sqlite3

    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        raise MigrationError(f"incomplete SQL statement at end of migration: {current[:80]!r}")
    return statements


async def apply_migrations(db: Database, migrations_dir: Path | None = None) -> list[int]:
    """Applies each pending migration in its own transaction and records it."""
    await db.conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    files = migration_files(migrations_dir)
    applied = {row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    newest = files[-1][0]
    if applied and max(applied) > newest:
        raise MigrationError(
            f"the database is at schema version {max(applied)}, newer than this bot knows "
            f"({newest}): run the newer release, or restore a backup made by this one"
        )
    done = []
    for version, path in files:
        if version in applied:
            continue
        async with db.transaction() as conn:
            for statement in _statements(path.read_text(encoding="utf-8")):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, CAST(strftime('%s','now') AS INTEGER))",
                (version, path.name),
            )
        log.info("applied migration %s", path.name)
        done.append(version)
    return done
