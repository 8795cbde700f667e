"""The storage interface core/ programs against: the repository modules of bot.storage take a
`Database`, and an engine (bot.storage.sqlite today) implements it.

A second backend is a new engine plus the dialect differences of the repositories, not a
rewrite of the use cases: core/ never imports an engine (see .importlinter).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Row = tuple[Any, ...]
T = TypeVar("T")


class ChangeLog:
    """Which signatures a write touched, in order: what keeps derived data such as the page
    index of the public list (bot.domain.page_index) right without recounting everything.

    The engine notes (campaign, number) for every signature inserted, updated or deleted,
    inside the write's transaction, and calls `finish` after its COMMIT or ROLLBACK. So a
    reader that takes `finished` before its snapshot begins knows every change below it is
    in that snapshot; later ones may not be and stay for the next reader. At most `MOST`
    entries are kept (a reader that fell further behind rebuilds), and `forget_before` drops
    what every reader has taken in: numbers of withdrawn signatures do not linger.
    """

    MOST = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()  # noted on the database's thread, read on another
        self._entries: deque[tuple[int, str, int]] = deque()
        self._next = 0
        self.finished = 0

    def note(self, campaign: str, number: int) -> None:
        with self._lock:
            self._entries.append((self._next, campaign, number))
            self._next += 1
            if len(self._entries) > self.MOST:
                self._entries.popleft()

    def finish(self) -> None:
        with self._lock:
            self.finished = self._next

    def overflow(self) -> None:
        """More changes than are kept happened at once: every reader rebuilds."""
        with self._lock:
            self._entries.clear()
            self._next += 1

    def since(self, seq: int) -> list[tuple[str, int]] | None:
        """Every change from `seq` on, finished or not; None when some were dropped."""
        with self._lock:
            oldest = self._entries[0][0] if self._entries else self._next
            if seq < oldest:
                return None
            return [(c, n) for s, c, n in self._entries if s >= seq]

    def forget_before(self, seq: int) -> None:
        with self._lock:
            while self._entries and self._entries[0][0] < seq:
                self._entries.popleft()


# What a generation counts (bot.core.workers): each kind of thing a worker caches.
KINDS = frozenset({"languages", "lists", "campaigns", "folders", "bots"})


@dataclass(frozen=True)
class Turn:
    """What a person's turn found as it began: whether no worker has handled the update yet,
    and the generations of what workers cache (None where one process is the only worker)."""

    fresh: bool
    generations: dict[str, int] | None


class MigrationError(Exception):
    """Migrations missing, malformed or older than the database: the bot must not start."""


class Database(Protocol):
    """One database: reads, one-round-trip write transactions, and the journal purge that
    makes an erasure real."""

    path: str
    changes: ChangeLog
    # True where a deleted row lives on beyond the bot's reach (PostgreSQL's WAL, replicas,
    # archives): what users are told about an erasure depends on it.
    keeps_copies: bool

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    @property
    def is_open(self) -> bool: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def atomic(self, work: Callable[[Any], T], shared: bool = False) -> T:
        """`work` in one write transaction. `shared`: it writes only its person's rows (a
        draft, a signature) and adds to counts, so on PostgreSQL it may run beside other
        shared work, while every other write runs alone (bot.storage.postgres)."""
        ...

    async def read(self, work: Callable[[Any], T]) -> T: ...

    async def write_row(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    def turn(
        self, key: int, update_id: int, now: int, changed: set[str]
    ) -> AbstractAsyncContextManager[Turn]: ...

    async def purge_wal(self, wait: float = 5.0) -> bool: ...

    async def schema_version(self) -> int: ...

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...

    async def scalar(self, sql: str, params: Iterable[Any] = (), default: Any = None) -> Any: ...

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int: ...

    def stream_batches(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[list[Row]]: ...

    def stream(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[Row]: ...

    async def backup_image(self, prepare: Callable[[Any], None] | None = None) -> bytes: ...


class SharedReads:
    """What both engines do alike on top of their own `scalar` and `stream_batches`."""

    async def scalar(self, sql: str, params: Iterable[Any] = (), default: Any = None) -> Any:
        raise NotImplementedError

    def stream_batches(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[list[Row]]:
        raise NotImplementedError

    async def stream(
        self, sql: str, params: Iterable[Any] = (), batch: int = 2000, key: str = "number"
    ) -> AsyncIterator[Row]:
        """The rows of `stream_batches` one by one."""
        async for rows in self.stream_batches(sql, params, batch, key):
            for row in rows:
                yield row

    async def schema_version(self) -> int:
        """The newest migration applied (0 for an empty database)."""
        return int(await self.scalar("SELECT MAX(version) FROM schema_migrations", default=0))
