"""Database round trips and write transactions, counted on SQLite's connections (issue 32)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiosqlite


class DbCount:
    """Round trips (hops to an aiosqlite connection's thread, the writer's and the reader's)
    and write transactions (BEGIN IMMEDIATE on the writer), counted from `reset` on."""

    def __init__(self) -> None:
        self.round_trips = 0
        self.writes = 0

    async def watch(self, writer: aiosqlite.Connection, *others: aiosqlite.Connection) -> None:
        for conn in (writer, *others):
            self._wrap(conn)

        def trace(sql: str) -> None:
            if sql.startswith("BEGIN IMMEDIATE"):
                self.writes += 1

        raw = writer._conn  # set on the connection's own thread (sqlite3 checks the thread)
        await writer._execute(raw.set_trace_callback, trace)  # type: ignore[no-untyped-call]
        self.reset()

    def _wrap(self, conn: aiosqlite.Connection) -> None:
        inner = conn._execute

        async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.round_trips += 1
            return await inner(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

        conn._execute = counted  # type: ignore[method-assign]

    def reset(self) -> None:
        self.round_trips = self.writes = 0
