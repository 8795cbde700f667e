"""`petition-bot port-db`: a stopped SQLite database copied into an empty PostgreSQL one, row
for row, then read back and compared, all in one PostgreSQL transaction: a copy that does
not match leaves nothing behind.

Both schemas are at the newest migration first (the caller opens both engines). Every table
is copied whole, in an order that keeps the foreign keys satisfied, and each identity column
continues after the highest number SQLite ever gave (sqlite_sequence): a signature number,
which reports and the audit log name, is never given twice.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

# Parents before the rows that refer to them; the rest in any order.
_FIRST = ("broadcasts", "signatures")
# The migrations' own table, and what the first start with a key drops (SQLite's own
# sqlite_* tables are left out too).
_SKIP = {"schema_migrations", "signers"}
# Identity columns (bot.storage's INTEGER PRIMARY KEYs).
_IDENTITIES = {
    "broadcasts": "id",
    "signatures": "number",
    "audit_log": "id",
    "approvals": "id",
    "campaign_versions": "id",
}


class PortError(Exception):
    """The target is not empty, or the copy does not match its source: nothing was written."""


@dataclass(frozen=True)
class Ported:
    """Rows copied per table, each verified."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables(source: sqlite3.Connection) -> list[str]:
    names = {
        r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    } - _SKIP
    names = {name for name in names if not name.startswith("sqlite_")}
    return [t for t in _FIRST if t in names] + sorted(names - set(_FIRST))


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in source.execute(f"PRAGMA table_info({table})").fetchall()]


def _digest(rows: Any) -> tuple[int, int]:
    """How many rows, and the sum of their hashes: the same for the same rows in any order
    (the engines sort text differently)."""
    total, count = 0, 0
    for row in rows:
        text = repr(tuple(v.hex() if isinstance(v, bytes) else v for v in row)).encode()
        total = (total + int.from_bytes(hashlib.sha256(text).digest(), "big")) % 2**256
        count += 1
    return count, total


def holds_data(url: str) -> list[str]:
    """The tables of the database at `url` that hold a row (schema_migrations aside)."""
    with psycopg.connect(url) as target:
        return _holding(target)


def _holding(target: psycopg.Connection[Any]) -> list[str]:
    tables = [
        r[0]
        for r in target.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    ]
    return [
        t
        for t in tables
        if t != "schema_migrations" and target.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
    ]


def port(source_path: Path, target_url: str) -> Ported:
    """Copies every row of the SQLite file into the (migrated, empty) PostgreSQL database."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        with psycopg.connect(target_url) as target:
            if full := _holding(target):
                raise PortError(f"the target database is not empty: {', '.join(full)} hold rows")
            copied = _copy(source, target)
            counts = {}
            for table, columns in copied.items():
                listed = ", ".join(columns)
                wanted = _digest(source.execute(f"SELECT {listed} FROM {table}"))
                got = _digest(target.execute(f"SELECT {listed} FROM {table}"))
                if got != wanted:
                    raise PortError(f"{table}: the rows copied do not match the {wanted[0]} read")
                counts[table] = wanted[0]
            target.commit()
            return Ported(counts)
    finally:
        source.close()


def _copy(source: sqlite3.Connection, target: psycopg.Connection[Any]) -> dict[str, list[str]]:
    copied = {}
    for table in _tables(source):
        columns = _columns(source, table)
        listed = ", ".join(columns)
        with target.cursor().copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {listed} FROM {table}"):
                copy.write_row(row)
        copied[table] = columns
    sequences = dict(source.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    for table, column in _IDENTITIES.items():
        if table in copied:
            highest = target.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}").fetchone()
            given = max(int(highest[0]) if highest else 0, int(sequences.get(table, 0)))
            target.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                (table, column, given + 1),
            )
    return copied
