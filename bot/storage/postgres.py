"""The PostgreSQL engine (DATABASE_URL): psycopg 3 and its async connection pool behind
bot.storage.engine.Database, for organisations that keep their data in a managed, replicated
PostgreSQL or run several workers.

The repositories' write functions are synchronous callables (one round trip to SQLite's
thread): here `atomic` (and `read`) run them, statements and all, on a worker thread with a
connection of a second, synchronous pool, inside one transaction: one hop between threads per
transaction, as on SQLite. (Handing each statement back to the event loop, as before, cost two
hops a statement, each waiting for the interpreter lock: PostgreSQL then signed at a third of
SQLite's rate on one worker.) Statements are translated by bot.storage.dialect.

Writes take one transaction-scoped advisory lock first (released by its COMMIT or ROLLBACK,
so it works through a transaction-mode pooler and dies with a crashed worker). Most take it
alone, so they run as SQLite runs every write, one at a time: the use cases were written for
one writer and keep their meaning across workers. The steps of the signing flow take it
shared (`atomic(..., shared=True)`): each writes only its person's rows, in the person's turn
(`turn`), and adds to counts spread over rows (bot.storage.shards), so signers of one
campaign sign side by side; what two of them could still race on (two look-alike names) takes
a lock of its own (bot.storage.signatures).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format, TransactionStatus
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from bot.storage.dialect import Translations
from bot.storage.engine import KINDS, ChangeLog, MigrationError, Row, SharedReads, Turn

log = logging.getLogger(__name__)
DatabaseError = psycopg.Error
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "postgres"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# The key of the advisory lock every write transaction holds (any fixed number of our own).
WRITE_LOCK = 0x5E7171
# Every write transaction: BEGIN with the lock (alone or shared), and COMMIT after reading
# what the signatures trigger (migrations/postgres) noted for bot.storage.engine.ChangeLog,
# each one round trip.
_BEGIN_ALONE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})".encode()
_BEGIN_SHARED = f"BEGIN; SELECT pg_advisory_xact_lock_shared({WRITE_LOCK})".encode()
_COMMIT = b"SELECT current_setting('petition.changed', true); COMMIT"
# How often shared work met in a deadlock runs (`atomic`) before the error stands.
_ATTEMPTS = 3
# Each update holds its person's turn on a connection of this second pool (so that a turn
# never waits for a connection its own handler needs): this many per connection of the first.
TURNS_PER_CONNECTION = 4
_PERSONAL_TABLES = (
    "signatures",
    "drafts",
    "subscriptions",
    "deliveries",
    "preferences",
    "trail",
    "name_reports",
    "blocks",
    "audit_log",
    "approvals",
)

T = TypeVar("T")


def describe(url: str) -> str:
    """The URL without user, password or options: what messages and logs may name."""
    parts = urlsplit(url)
    host = parts.hostname or "local socket"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


class _Untyped(Dumper):
    """Numbers and booleans are sent as text of no declared type: the server reads them as
    the column or operator needs, as SQLite does (0/1 flags live in BIGINT columns)."""

    oid = 0
    format = Format.TEXT

    def dump(self, obj: Any) -> bytes:
        return (repr(obj) if isinstance(obj, float) else str(int(obj))).encode()


class _Number(Loader):
    """SUM and AVG give NUMERIC: whole ones come back as int, as SQLite gives them."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if any(c in text for c in ".eEN") else int(text)


def _adapt(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    for cls in (bool, int, float):
        conn.adapters.register_dumper(cls, _Untyped)
    conn.adapters.register_loader("numeric", _Number)


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    _adapt(conn)


class Result:
    """What a statement gave, fetched at once (sqlite3's cursor, as the repositories use it)."""

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self._rows = rows
        self._at = 0
        self.rowcount = rowcount

    def fetchone(self) -> Row | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list[Row]:
        rows, self._at = self._rows[self._at :], len(self._rows)
        return rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class AsyncResult(Result):
    """The same for `transaction()`, whose callers await fetches as with aiosqlite."""

    async def fetchone(self) -> Row | None:  # type: ignore[override]
        return Result.fetchone(self)

    async def fetchall(self) -> list[Row]:  # type: ignore[override]
        return Result.fetchall(self)


async def _run(conn: psycopg.AsyncConnection[Any], sql: str, params: Sequence[Any]) -> Result:
    async with conn.cursor() as cur:
        await cur.execute(sql, tuple(params))
        rows = [tuple(r) for r in await cur.fetchall()] if cur.description else []
        return Result(rows, cur.rowcount)


class AsyncConnection:
    """One pooled connection inside a transaction, for `async with db.transaction()`."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], sql: Translations) -> None:
        self._conn, self._sql = conn, sql

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> AsyncResult:
        done = await _run(self._conn, self._sql(sql), tuple(params))
        return AsyncResult(done.fetchall(), done.rowcount)

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return (await _run(self._conn, self._sql(sql), tuple(params))).fetchall()

    async def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> None:
        async with self._conn.cursor() as cur:
            await cur.executemany(self._sql(sql), [tuple(p) for p in seq])


class SyncConnection:
    """A pooled connection of the thread pool for a synchronous `work` on a worker thread:
    its statements run there too, so a transaction costs one hop between threads, not two
    per statement (each hop also waits for the interpreter lock, which the memory-hard
    pseudonym's threads and the event loop contend for)."""

    def __init__(self, conn: psycopg.Connection[Any], sql: Translations) -> None:
        self._conn, self._sql = conn, sql

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        with self._conn.cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
            return Result(rows, cur.rowcount)

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(self._sql(sql), [tuple(p) for p in seq])


class _Writers:
    """The write lock within this process: shared holders together, or one alone; one that
    waits to be alone lets no new shared holder in, as the server's lock does."""

    def __init__(self) -> None:
        self._shared = 0
        self._alone = False
        self._waiting_alone = 0
        self._changed = asyncio.Event()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _until(self, ready: Callable[[], bool]) -> None:
        while not ready():
            await self._changed.wait()

    @asynccontextmanager
    async def hold(self, shared: bool) -> AsyncIterator[None]:
        if shared:
            await self._until(lambda: not (self._alone or self._waiting_alone))
            self._shared += 1
        else:
            self._waiting_alone += 1
            try:
                await self._until(lambda: not (self._alone or self._shared))
            finally:
                self._waiting_alone -= 1
                self._wake()
            self._alone = True
        try:
            yield
        finally:
            if shared:
                self._shared -= 1
            else:
                self._alone = False
            self._wake()


class PostgresDatabase(SharedReads):
    """The server engine behind bot.storage.engine.Database."""

    keeps_copies = True  # the WAL, replicas and archives keep deleted rows (README)

    def __init__(self, url: str, *, pooler: str = "none", pool_size: int = 5) -> None:
        self._url = url
        self.path = describe(url)
        self.changes = ChangeLog()
        # Behind a transaction-mode pooler two transactions of one client may reach two server
        # connections: a statement prepared on one is unknown on the other. So none is.
        self._prepare_threshold = None if pooler == "transaction" else 5
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool | None = None
        self._threads: ConnectionPool | None = None
        self._turns: AsyncConnectionPool | None = None
        self._sql = Translations()
        self._writers = _Writers()

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def open(self, migrations_dir: Path | None = None) -> None:
        migration_files(migrations_dir)
        pool = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_size,
            open=False,
            configure=_configure,
            kwargs={"autocommit": True, "prepare_threshold": self._prepare_threshold},
        )
        await pool.open(wait=True, timeout=30)
        self._pool = pool
        # `atomic` and `read` run their work on a thread, with connections of their own.
        threads = ConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_size,
            open=False,
            configure=_adapt,
            kwargs={"autocommit": True, "prepare_threshold": self._prepare_threshold},
        )
        await asyncio.to_thread(threads.open, wait=True, timeout=30)
        self._threads = threads
        turns = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_size * TURNS_PER_CONNECTION,
            open=False,
            kwargs={"autocommit": True, "prepare_threshold": None},
        )
        await turns.open(wait=True, timeout=30)
        self._turns = turns
        await apply_migrations(self, migrations_dir)

    async def close(self) -> None:
        for pool in (self._turns, self._pool):
            if pool is not None:
                await pool.close()
        if self._threads is not None:
            await asyncio.to_thread(self._threads.close)
        self._pool = self._turns = self._threads = None

    @property
    def threads(self) -> ConnectionPool:
        if self._threads is None:
            raise RuntimeError("database is not open")
        return self._threads

    def _note(self, text: str | None) -> None:
        """Carries what the signatures trigger noted in a transaction into `changes`."""
        if text == "overflow":
            self.changes.overflow()
        elif text:
            for line in text.splitlines():
                number, _, campaign = line.partition(" ")
                self.changes.note(campaign, int(number))

    @asynccontextmanager
    async def _writing(self, shared: bool = False) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """One write transaction holding the write lock (alone, or `shared`), in this process
        and on the server. In this process first, so that writers waiting for it hold no
        pooled connection that the one holding it may need.

        BEGIN goes with the lock, and COMMIT with the read of what the trigger noted: two
        round trips around the work, not four.
        """
        async with self._writers.hold(shared), self.pool.connection() as conn:
            try:
                await conn.execute(_BEGIN_SHARED if shared else _BEGIN_ALONE)
                yield conn
                async with conn.cursor() as cur:
                    await cur.execute(_COMMIT)
                    found = await cur.fetchone()
                self._note(found[0] if found else None)
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    await conn.execute("ROLLBACK")
                raise
            finally:
                self.changes.finish()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._writing() as conn:
            yield AsyncConnection(conn, self._sql)

    async def atomic(self, work: Callable[[SyncConnection], T], shared: bool = False) -> T:
        """One write transaction, all of it on a worker thread (`_atomic_here`): one hop.

        Shared work runs beside other shared work, so two of them may come to wait for each
        other's rows (a row of a count each wrote first): the server then rolls one back, and
        it runs again, as it would have run a moment later behind a lock."""
        attempt = 1
        while True:
            try:
                async with self._writers.hold(shared):
                    return await asyncio.to_thread(self._atomic_here, work, shared)
            except psycopg.errors.DeadlockDetected:
                if not shared or attempt == _ATTEMPTS:
                    raise
                attempt += 1
                log.info("a write met another in a deadlock; running it again")

    def _atomic_here(self, work: Callable[[SyncConnection], T], shared: bool) -> T:
        """On a worker thread: BEGIN with the lock, `work`, COMMIT with the trigger's note, as
        `_writing` does on the event loop."""
        with self.threads.connection() as conn:
            try:
                conn.execute(_BEGIN_SHARED if shared else _BEGIN_ALONE)
                result = work(SyncConnection(conn, self._sql))
                with conn.cursor() as cur:
                    cur.execute(_COMMIT)
                    found = cur.fetchone()
                self._note(found[0] if found else None)
                return result
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self.changes.finish()

    async def write_row(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """One statement in a transaction of its own, without the write lock: for rows that no
        rule reads together with others (a flood bucket, a generation, an update handled)."""
        return await self.fetchone(sql, params)

    @asynccontextmanager
    async def turn(
        self, key: int, update_id: int, now: int, changed: set[str]
    ) -> AsyncIterator[Turn]:
        """A person's turn across workers: a transaction holding the advisory lock `key` (a
        keyed hash of the person) while their update is handled, so another worker takes the
        person's next update (or this one redelivered) only after it.

        One round trip begins it (BEGIN, the lock, whether any worker handled the update, the
        generations) and one ends it: the update noted as handled, the generations of what
        `changed` names raised, COMMIT. Nothing is written before that end: a transaction
        that wrote would hold back VACUUM, and with it the erasure it follows.
        """
        if self._turns is None:
            raise RuntimeError("database is not open")
        async with self._turns.connection() as conn:
            async with conn.cursor() as cur:
                await cur.execute(_turn_begin(key, update_id))
                found: list[list[Row]] = []
                while True:
                    if cur.description:
                        found.append([tuple(r) for r in await cur.fetchall()])
                    if not cur.nextset():
                        break
            _, seen, generations = found
            fresh = not seen
            kinds: list[str] = []
            try:
                yield Turn(fresh, {str(k): int(v) for k, v in generations})
                kinds = sorted(changed & KINDS)
                changed.difference_update(kinds)
                await conn.execute(_turn_end(update_id if fresh else None, now, kinds))
            except BaseException:
                changed.update(kinds)  # raised by the next turn that ends
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    await conn.execute("ROLLBACK")
                raise

    async def read(self, work: Callable[[SyncConnection], T]) -> T:
        """One read-only snapshot for `work`, on a connection of its own, all of it on a
        worker thread."""
        return await asyncio.to_thread(self._read_here, work)

    def _read_here(self, work: Callable[[SyncConnection], T]) -> T:
        with self.threads.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return work(SyncConnection(conn, self._sql))

    async def purge_wal(self, wait: float = 5.0) -> bool:
        """PostgreSQL keeps a deleted row in its page until VACUUM reclaims the space (and
        in the WAL, replicas and archives after that: README, threat model): this vacuums the
        tables that hold personal data, so their dead rows' space is reused soonest. Never
        True: nothing here can reach the WAL."""
        async with self.pool.connection() as conn:
            await conn.execute(f"VACUUM {', '.join(_PERSONAL_TABLES)}")
        return False

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self.pool.connection() as conn:
            return (await _run(conn, self._sql(sql), tuple(params))).fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self.pool.connection() as conn:
            return (await _run(conn, self._sql(sql), tuple(params))).fetchall()

    async def scalar(self, sql: str, params: Iterable[Any] = (), default: Any = None) -> Any:
        row = await self.fetchone(sql, params)
        return row[0] if row is not None and row[0] is not None else default

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        args = tuple(params)
        return await self.atomic(lambda conn: conn.execute(sql, args).rowcount)

    async def stream_batches(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[list[Row]]:
        """As SqliteDatabase.stream_batches: keyset pages, each in a short read of its own."""
        args = tuple(params)
        column = key.rsplit(".", 1)[-1]
        last = await self.scalar(f"SELECT MAX({column}) FROM ({sql}) AS rows", args, 0)
        paged = f"{sql} AND {key} > ? AND {key} <= ? ORDER BY {key} LIMIT {int(batch)}"
        after = -1
        while rows := await self.fetchall(paged, (*args, after, last)):
            after = rows[-1][0]
            yield rows

    async def backup_image(self, prepare: Callable[[Any], None] | None = None) -> bytes:
        raise BackupUnsupported(
            "backups of a PostgreSQL database are pg_dump's (README, PostgreSQL)"
        )


def _turn_begin(key: int, update_id: int) -> bytes:
    """Numbers only, so one simple query carries it all; each statement reads after the lock."""
    return (
        f"BEGIN; SELECT pg_advisory_xact_lock({int(key)});"
        f" SELECT 1 FROM handled_updates WHERE update_id = {int(update_id)};"
        " SELECT kind, value FROM generations"
    ).encode()


def _turn_end(update_id: int | None, now: int, kinds: list[str]) -> bytes:
    statements = []
    if update_id is not None:
        statements.append(
            "INSERT INTO handled_updates (update_id, handled_at)"
            f" VALUES ({int(update_id)}, {int(now)}) ON CONFLICT DO NOTHING"
        )
    if kinds:  # names from KINDS only, never from elsewhere
        rows = ", ".join(f"('{kind}', 1)" for kind in kinds if kind in KINDS)
        statements.append(
            f"INSERT INTO generations (kind, value) VALUES {rows}"
            " ON CONFLICT (kind) DO UPDATE SET value = generations.value + 1"
        )
    return "; ".join([*statements, "COMMIT"]).encode()


class BackupUnsupported(Exception):
    """The bot's own backups copy SQLite files; PostgreSQL's are made with pg_dump."""


def migration_files(migrations_dir: Path | None = None) -> list[tuple[int, Path]]:
    """PostgreSQL's migrations: a first file that makes the schema as SQLite's migrations had
    made it at that number, then one file per later SQLite migration, numbered alike."""
    folder = migrations_dir or MIGRATIONS_DIR
    found = []
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name must be NNNN_name.sql: {path.name}")
        found.append((int(match.group(1)), path))
    if not found:
        raise MigrationError(f"migrations folder {folder} holds no migration: reinstall the bot")
    versions = [v for v, _ in found]
    if versions != list(range(versions[0], versions[0] + len(versions))):
        raise MigrationError(f"migrations must be numbered without gaps: {versions}")
    return found


async def apply_migrations(db: PostgresDatabase, migrations_dir: Path | None = None) -> list[int]:
    """The pending migrations, each in a transaction of its own nested in one that holds the
    write lock: two workers starting at once apply each migration once."""
    files = migration_files(migrations_dir)
    done = []
    async with db.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
        cur = await conn.execute("SELECT version FROM schema_migrations")
        applied = {row[0] for row in await cur.fetchall()}
        newest = files[-1][0]
        if applied and max(applied) > newest:
            raise MigrationError(
                f"the database is at schema version {max(applied)}, newer than this bot knows "
                f"({newest}): run the newer release"
            )
        for version, path in files:
            if applied and version <= max(applied):
                continue
            async with conn.transaction():
                await conn.execute(path.read_text(encoding="utf-8").encode())
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (%s, %s, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))",
                    (version, path.name),
                )
            log.info("applied migration postgres/%s", path.name)
            done.append(version)
    return done
