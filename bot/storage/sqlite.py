"""The SQLite engine: one aiosqlite connection that writes, with writes serialised, and one
that only reads.

SQLite allows one writer at a time; on a shared connection two interleaved transactions would
silently merge, so every write goes through `transaction()`, which holds an asyncio lock.
Supporters' reads (the public list) and exports go through the read connection, on a thread
of its own: in WAL mode they neither wait behind a signature nor make one wait. Each of its
transactions is short (one page, one batch), so none holds up the checkpoint that makes an
erasure real.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.storage.engine import ChangeLog, MigrationError, Row, SharedReads, Turn
from bot.storage.wipe import zero_file

log = logging.getLogger(__name__)
# What the engine raises when the database itself fails; callers outside storage catch this name.
DatabaseError = sqlite3.Error
# Shipped inside the package (bot/migrations links to the top-level folder in a checkout).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

T = TypeVar("T")
# A write waiting for its batch (atomic's work, or write_row's statement) and where its result
# goes.
_Waiting = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]"]
__all__ = ["DatabaseError", "MigrationError", "SqliteDatabase", "migration_files"]


def _make_private(path: str) -> None:
    """Mode 0600 for the database and its -wal and -shm files (older versions made 0644)."""
    for suffix in ("", "-wal", "-shm"):
        file = Path(path + suffix)
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _in_transaction(
    conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], changes: ChangeLog
) -> T:
    """Runs on aiosqlite's worker thread: BEGIN IMMEDIATE, `work`, COMMIT (ROLLBACK on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        if conn.in_transaction:  # an I/O error or a full disk may have ended it already
            conn.execute("ROLLBACK")
        changes.finish()
        raise
    conn.execute("COMMIT")
    changes.finish()
    return result


def _each_in_savepoint(
    works: list[Callable[[sqlite3.Connection], Any]], conn: sqlite3.Connection
) -> list[tuple[bool, Any]]:
    """Runs on the writer's thread inside `_in_transaction`: each write in a savepoint of its
    own, so that one that fails is undone alone, as its own transaction's ROLLBACK would;
    each one's (True, result) or (False, its exception)."""
    done: list[tuple[bool, Any]] = []
    for work in works:
        conn.execute("SAVEPOINT one_write")
        try:
            result = work(conn)
        except Exception as exc:
            if not conn.in_transaction:  # the engine ended the transaction: the batch fails
                raise
            conn.execute("ROLLBACK TO one_write")
            done.append((False, exc))
        else:
            done.append((True, result))
        conn.execute("RELEASE one_write")
    return done


def _first_row(sql: str, args: tuple[Any, ...], conn: sqlite3.Connection) -> Row | None:
    """write_row's statement: its first row, if any."""
    row = conn.execute(sql, args).fetchone()
    return None if row is None else tuple(row)


def _in_read(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Runs on the read connection's thread: one snapshot for `work`, released at once."""
    conn.execute("BEGIN")
    try:
        return work(conn)
    finally:
        conn.execute("COMMIT")


def _no_lock(key: int) -> None:
    """PostgreSQL's pg_advisory_xact_lock, where one writer holds every lock already."""


# Every signature inserted, changed or deleted is noted in the engine's ChangeLog.
_CHANGE_TRIGGERS = tuple(
    f"CREATE TEMP TRIGGER IF NOT EXISTS note_signature_{event.lower()} AFTER {event}"
    f" ON main.signatures BEGIN SELECT note_signature({row}.campaign, {row}.number); END"
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
)


class SqliteDatabase(SharedReads):
    """The embedded engine behind bot.storage.engine.Database."""

    keeps_copies = False  # purge_wal zeroes the journal: nothing stays but the disk's own

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self.changes = ChangeLog()
        self._waiting: list[_Waiting] = []  # writes waiting for the next batch
        self._flushing: set[asyncio.Task[None]] = set()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self, migrations_dir: Path | None = None) -> None:
        migration_files(migrations_dir)  # a broken install creates no database file
        if self.path != ":memory:":
            # Other local users must not read names: the folder we create is 0700, the
            # database 0600 (SQLite gives its -wal and -shm files the database's mode).
            Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        if self.path != ":memory:":
            _make_private(self.path)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            "PRAGMA secure_delete=ON",
            "PRAGMA temp_store=MEMORY",  # sorts and temporary tables never reach /tmp
        ):
            await self.fetchall(pragma)
        await apply_migrations(self, migrations_dir)
        await self.conn.create_function("note_signature", 2, self.changes.note)
        # The one writer needs no lock: the advisory locks of the shared SQL do nothing here.
        await self.conn.create_function("pg_advisory_xact_lock", 1, _no_lock)
        for trigger in _CHANGE_TRIGGERS:
            await self.fetchall(trigger)
        if self.path != ":memory:":  # a second in-memory connection would be another database
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in ("PRAGMA busy_timeout=5000", "PRAGMA temp_store=MEMORY"):
                await self._reader.execute_fetchall(pragma)

    @property
    def reader(self) -> aiosqlite.Connection:
        """The read connection (the only one for an in-memory database)."""
        return self._reader or self.conn

    async def close(self) -> None:
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
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
                self.changes.finish()
                raise
            else:
                await conn.execute("COMMIT")
                self.changes.finish()

    async def purge_wal(self, wait: float = 5.0) -> bool:
        """Checkpoints the WAL, overwrites it with zeros, syncs, and only then truncates it.

        secure_delete zeroes erased rows in the database file, but the write-ahead log keeps
        earlier page images until it is checkpointed; truncating it alone would free those
        blocks with the old rows still in them, where a raw read of the disk finds them. So
        after a RESTART checkpoint has copied every frame into the database (no reader then
        needs the log: new readers read the database file), the whole file is zeroed under
        the write lock, synced, and truncated (bot.storage.wipe says what this cannot reach).
        An erasure is only real after this. SQLite cannot finish a checkpoint while a reader
        holds an older snapshot: it then answers busy=1 (it does not raise), or "table is
        locked" on this connection. So it is retried, releasing the write lock between tries,
        for up to `wait` seconds. True only when the WAL was zeroed; False means the periodic
        purge finishes it.
        """
        if self.path == ":memory:":
            return True
        deadline = time.monotonic() + wait
        pause = 0.01
        while True:
            async with self._write_lock:
                try:
                    # Fetched and closed: a pragma's unread row would keep a statement open,
                    # and a later COMMIT would fail with "SQL statements in progress".
                    rows = await self.fetchall("PRAGMA wal_checkpoint(RESTART)")
                    busy = not rows or rows[0][0] != 0 or rows[0][1] != rows[0][2]
                    if not busy:
                        await asyncio.to_thread(zero_file, Path(self.path + "-wal"))
                        await self.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.OperationalError:
                    busy = True
            if not busy:
                return True
            if time.monotonic() + pause > deadline:
                log.warning("WAL purge still waiting for a reader; the periodic purge retries")
                return False
            await asyncio.sleep(pause)
            pause = min(0.25, pause * 2)

    async def atomic(self, work: Callable[[sqlite3.Connection], T], shared: bool = False) -> T:
        """One write transaction of its own, as far as anyone can tell (`shared` changes nothing
        here: SQLite runs one writer at a time).

        `work` gets the raw sqlite3 connection and runs on aiosqlite's worker thread (so it must
        not touch the event loop). The writes that arrive while one batch is with the database
        go together in the next: one hop to the thread and one COMMIT for all of them, each
        in a savepoint of its own, so that one that raises is undone alone and its caller
        gets the exception. Each caller hears back only after the COMMIT, so nothing is
        reported recorded before it is. A hop costs far more than a signing step's SQL (the
        thread must be woken, then wait for the GIL while the event loop runs Python): under
        a burst, one hop per update made the writer the queue every signer waited in.
        """
        return cast(T, await self._batched(work))

    async def write_row(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """One statement, as if in a write transaction of its own; its first row, if any
        (batched with the other writes, as `atomic`'s are)."""
        return cast("Row | None", await self._batched(partial(_first_row, sql, tuple(params))))

    async def _batched(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        entry: _Waiting = (work, asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        if len(self._waiting) == 1:  # none waiting: a batch of its own starts
            flush = asyncio.create_task(self._flush())
            self._flushing.add(flush)
            flush.add_done_callback(self._flushing.discard)
        return await entry[1]

    async def _flush(self) -> None:
        """The writes waiting, in one transaction: a task, so that a caller's cancellation
        leaves the others' writes alone. A write whose caller was cancelled before its batch
        began is not made, as it would not have been in a transaction of its own."""
        batch: list[_Waiting] = []
        try:
            async with self._write_lock:
                batch = [entry for entry in self._waiting if not entry[1].done()]
                self._waiting = []
                if not batch:
                    return
                conn = self.conn
                work = partial(_each_in_savepoint, [work for work, _ in batch])
                done = await conn._execute(_in_transaction, conn._conn, work, self.changes)  # type: ignore[no-untyped-call]
        except BaseException as exc:
            if not batch:  # stopped before it took them: they end with it
                batch, self._waiting = self._waiting, []
            cancelled = not isinstance(exc, Exception)
            for _, future in batch:
                if not future.done():
                    future.cancel() if cancelled else future.set_exception(exc)
            if cancelled:
                raise
            return
        for (_, future), (ok, outcome) in zip(batch, done, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if ok:
                future.set_result(outcome)
            else:
                future.set_exception(outcome)

    @asynccontextmanager
    async def turn(
        self, key: int, update_id: int, now: int, changed: set[str]
    ) -> AsyncIterator[Turn]:
        """One process is the only worker on a SQLite file: PerUserProcessor already runs a
        person's updates in order and the Gatekeeper drops redeliveries; each cache is
        dropped in place, so no generation is shared."""
        changed.clear()
        yield Turn(fresh=True, generations=None)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """One short read transaction on the read connection, in a single round trip to its
        thread: `work` gets the raw sqlite3 connection and sees one snapshot. Keep it short:
        while it runs, no checkpoint can finish (an erasure waits for it)."""
        conn = self.reader
        result = await conn._execute(_in_read, conn._conn, work)  # type: ignore[no-untyped-call]
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
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[list[Row]]:
        """Rows in batches, each read in a short transaction of its own (keyset paging).

        `sql` selects `key` as its first column and ends with its WHERE clause; each batch
        appends `AND key > <last> ORDER BY key LIMIT batch`. A read transaction held for a
        whole export would stop the WAL checkpoint that makes an erasure real, so an export
        reads what exists as it goes: rows withdrawn while it runs and not yet read are left
        out, rows added after its start (a higher key than at start) are left out too.
        """
        args = tuple(params)
        column = key.rsplit(".", 1)[-1]  # how the subquery names `s.number`
        reader = self.reader  # on the read connection: signing never waits behind a batch
        found = await reader.execute_fetchall(f"SELECT MAX({column}) FROM ({sql})", args)
        last = next((row[0] for row in found if row[0] is not None), 0)
        paged = f"{sql} AND {key} > ? AND {key} <= ? ORDER BY {key} LIMIT {int(batch)}"
        after = -1
        while rows := await reader.execute_fetchall(paged, (*args, after, last)):
            batch_rows = [tuple(r) for r in rows]
            after = batch_rows[-1][0]
            yield batch_rows

    async def backup_image(
        self, prepare: Callable[[sqlite3.Connection], None] | None = None
    ) -> bytes:
        """A consistent copy of the whole database as bytes, never as a file.

        SQLite's online backup API copies a few hundred pages a step into a private in-memory
        database (between steps no read lock is held, so an erasure's WAL checkpoint can run),
        `prepare` may change the copy there (the backup's time stamp), and the copy is
        serialised. A plaintext copy written to disk and deleted stays in the disk's free
        blocks; this costs memory instead: about twice the database's size while it runs.
        """
        # memdb (not ":memory:") lets serialize() hand over its pages without a third copy;
        # a name without a leading "/" is private to the connection (two backups at once).
        async with aiosqlite.connect(_MEMDB, uri=True) as copy:
            await self.conn.backup(copy, pages=256, sleep=0.001)
            image = await copy._execute(copy._conn.serialize)  # type: ignore[no-untyped-call]
        if prepare is not None:
            held = [cast(bytes, image)]
            del image  # `_prepared` holds the only reference: one copy at a time
            image = await asyncio.to_thread(_prepared, held, prepare)
        return cast(bytes, image)


_MEMDB = "file:petition-backup?vfs=memdb"


def _prepared(held: list[bytes], prepare: Callable[[sqlite3.Connection], None]) -> bytes:
    """The copy changed by `prepare`, at no more than twice its size in memory.

    A copy of a WAL database says so in its header (bytes 18 and 19), and an in-memory
    database cannot be written to in WAL mode: it becomes a rollback-journal database first
    (SQLite's documented way), which also makes the backup one self-contained file.
    """
    editable = bytearray(held.pop())
    editable[18:20] = b"\x01\x01"
    conn = sqlite3.connect(_MEMDB, uri=True, isolation_level=None)
    try:
        conn.deserialize(editable)
        del editable
        prepare(conn)
        return conn.serialize()
    finally:
        conn.close()


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


async def apply_migrations(db: SqliteDatabase, migrations_dir: Path | None = None) -> list[int]:
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
    if done:  # a migration that clears data (0013: sources off the rows) leaves no old page
        await db.purge_wal()
    return done
