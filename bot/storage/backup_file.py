"""The SQL of backup copies: stamping a fresh copy, reading what a restore must check, and the
live erasure watermark a restore compares against (bot.ops.backups explains the ledger).

A copy is a closed SQLite file, so these open it with the standard library's sqlite3 and are
blocking: callers run them in a worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.engine import Database
from bot.storage.keys import FINGERPRINT

MADE_AT = "backup_made_at"  # bot_state key written into each copy (never into the live db)
_SQLITE = b"SQLite format 3\x00"
_ERASURES = "SELECT COALESCE(SUM(withdrawals), 0) FROM counters"
_LAST_ERASURE_HOUR = "SELECT MAX(hour) FROM activity WHERE withdrawn > 0"
_TABLES = {"schema_migrations", "bot_state", "counters", "signatures"}


class BackupFileError(Exception):
    """The file is not a readable petition-bot backup; the message is one line."""


@dataclass(frozen=True)
class Watermark:
    """How many erasures (withdrawals, removals) a database has counted, and the newest hour."""

    erasures: int
    last_hour: int | None  # unix seconds // 3600

    def describe(self) -> str:
        if self.last_hour is None:
            return "no erasure"
        when = datetime.fromtimestamp(self.last_hour * 3600, UTC).strftime("%Y-%m-%d %H:00")
        return f"{self.erasures} erasures, the last in the hour from {when} UTC"


@dataclass(frozen=True)
class FileFacts:
    made_at: int | None
    schema_version: int
    fingerprint: str | None
    signatures: int
    campaigns: int
    mark: Watermark

    def when(self) -> str:
        if self.made_at is None:
            return "at an unknown time (not a scheduled backup)"
        return datetime.fromtimestamp(self.made_at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(_SQLITE)) == _SQLITE


async def live_watermark(db: Database) -> Watermark:
    erasures = await db.scalar(_ERASURES, (), 0)
    hour = await db.scalar(_LAST_ERASURE_HOUR)
    return Watermark(int(erasures), int(hour) if hour is not None else None)


def _mark(conn: sqlite3.Connection) -> Watermark:
    erasures = conn.execute(_ERASURES).fetchone()[0]
    hour = conn.execute(_LAST_ERASURE_HOUR).fetchone()[0]
    return Watermark(int(erasures), int(hour) if hour is not None else None)


def stamper(at: int) -> Callable[[sqlite3.Connection], None]:
    """What marks a copy (in memory: SqliteDatabase.backup_image) with the time it was made."""

    def stamp(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (MADE_AT, str(at)),
        )
        conn.commit()

    return stamp


def _open(path: Path) -> sqlite3.Connection:
    """A connection whose sorts and temporary tables stay in memory, never in /tmp."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


def forget_stamp(path: Path) -> None:
    """A restored database is live again: the copy's time leaves it."""
    conn = _open(path)
    try:
        conn.execute("DELETE FROM bot_state WHERE key = ?", (MADE_AT,))
    finally:
        conn.close()


def read_facts(path: Path) -> FileFacts:
    """Integrity, schema version, key fingerprint, counts and erasure watermark of a copy."""
    try:
        conn = _open(path)
    except sqlite3.Error as exc:
        raise BackupFileError(f"the backup cannot be opened: {exc}") from None
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()  # a /backup copy is WAL-marked
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise BackupFileError(f"the backup is damaged (integrity check: {problems[0]})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables >= _TABLES:
            raise BackupFileError("the file is a SQLite database but not a petition-bot backup")
        version = int(conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])
        state = dict(conn.execute("SELECT key, value FROM bot_state").fetchall())
        made = state.get(MADE_AT)
        signatures = conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
        campaigns = conn.execute("SELECT COUNT(DISTINCT campaign) FROM signatures").fetchone()[0]
        return FileFacts(
            made_at=int(made) if made is not None else None,
            schema_version=version,
            fingerprint=state.get(FINGERPRINT),
            signatures=int(signatures),
            campaigns=int(campaigns),
            mark=_mark(conn),
        )
    except sqlite3.DatabaseError as exc:
        raise BackupFileError(f"the backup is damaged or not a database: {exc}") from None
    finally:
        conn.close()
