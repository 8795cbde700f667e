"""The storage interface core/ programs against: the repository modules of bot.storage take a
`Database`, and an engine (bot.storage.sqlite today) implements it.

A second backend is a new engine plus the dialect differences of the repositories, not a
rewrite of the use cases: core/ never imports an engine (see .importlinter).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

Row = tuple[Any, ...]
T = TypeVar("T")


class Database(Protocol):
    """One database: reads, one-round-trip write transactions, and the journal purge that
    makes an erasure real."""

    path: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def atomic(self, work: Callable[[Any], T]) -> T: ...

    async def purge_wal(self, wait: float = 5.0) -> bool: ...

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
