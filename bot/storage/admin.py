"""Organisers' queries: the audit trail, exports, stats and goal overrides (broadcasts are
in bot.storage.broadcasts).

Nothing here returns a Telegram id: exports leave the server, and organisers are audited by a
keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.domain.columns import COLUMNS
from bot.domain.signatories import Listing, Place
from bot.domain.stats import Stats
from bot.storage.engine import Database, Row
from bot.storage.signatories import shown_condition
from bot.storage.signatures import COUNT

# -- audit -------------------------------------------------------------------------------


def organiser_ref(key: bytes, user_id: int) -> str:
    """What the audit log keeps of an organiser: a keyed hash, never the raw Telegram id.

    The purpose prefix keeps it apart from every signer pseudonym made with the same key.
    """
    return hmac.new(key, b"admin:" + str(user_id).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    organiser: str  # organiser_ref of who acted
    level: str  # "admin" or "moderator"
    action: str
    detail: str
    at: int


async def audit(
    db: Database, key: bytes, user_id: int, level: str, action: str, detail: str, now: int
) -> None:
    """One row per organiser action; `detail` names campaigns and numbers, never people."""
    await audit_as(db, organiser_ref(key, user_id), level, action, detail, now)


async def audit_as(
    db: Database, organiser: str, level: str, action: str, detail: str, now: int
) -> None:
    """An audit row for an organiser known only by their keyed hash (a request of theirs
    that expired while nobody acted)."""
    await db.execute(
        "INSERT INTO audit_log (organiser, level, action, detail, at) VALUES (?, ?, ?, ?, ?)",
        (organiser, level, action, detail[:500], now),
    )


async def audit_entries(db: Database, limit: int = 50) -> list[AuditEntry]:
    """The newest entries first (entries from before 0005 not yet rekeyed are left out)."""
    rows = await db.fetchall(
        "SELECT organiser, level, action, detail, at FROM audit_log"
        " WHERE organiser IS NOT NULL ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [AuditEntry(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]


def rekey_audit(conn: sqlite3.Connection, key: bytes) -> int:
    """Data step after 0005: raw ids of older audit rows become keyed hashes; returns how many.

    Runs on the raw connection inside the caller's transaction (it does not commit), after
    the signer key was checked; running it again finds nothing left to do.
    """
    rows = conn.execute(
        "SELECT id, legacy_admin_id FROM audit_log WHERE legacy_admin_id IS NOT NULL"
    ).fetchall()
    conn.executemany(
        "UPDATE audit_log SET organiser = ?, legacy_admin_id = NULL WHERE id = ?",
        [(organiser_ref(key, int(admin_id)), row_id) for row_id, admin_id in rows],
    )
    return len(rows)


# -- exports -----------------------------------------------------------------------------


def _export_sql(shown: Listing | None) -> tuple[str, list[Any]]:
    """The SELECT of every export column and the parameters after the campaign's; with
    `shown`, only the signatures whose names the documents show are rows (anonymous, hidden
    or unapproved ones are left out altogether: their time and review state identify
    people as much as a name)."""
    # Read a page of numbers at a time (`Database.stream_batches`). The unary plus in
    # `+s.campaign` keeps SQLite from answering each page through the (campaign, signed_at)
    # index, which scans and sorts the whole campaign for every page; it walks the number
    # range instead (twenty times faster at 100,000 signatures).
    # Signatures without a name (counted only) are not rows, and retention deletes a
    # campaign's rows: exports show them only in the totals.
    sql = f"SELECT {', '.join(c.sql for c in COLUMNS)} FROM signatures s WHERE +s.campaign = ? AND s.name IS NOT NULL"
    if shown is None:
        return sql, []
    condition, params = shown_condition(shown, Place.DOCUMENTS)
    return f"{sql} AND {condition}", params


def export_batches(
    db: Database, campaign: str, batch: int = 2000, *, shown: Listing | None = None
) -> AsyncIterator[list[Row]]:
    """Rows of `bot.domain.columns.COLUMNS` in number order, a batch at a time; with
    `shown` (the `public-names` option) only the signatures the documents name.

    No signer pseudonym and no Telegram id: the export is meant to leave the server.
    """
    sql, params = _export_sql(shown)
    return db.stream_batches(sql, (campaign, *params), batch, key="s.number")


# -- stats -------------------------------------------------------------------------------


async def stats(db: Database, campaign: str, now: int) -> Stats:
    row = await db.fetchone(
        f"SELECT ({COUNT}), c.withdrawals, c.removals"
        " FROM (SELECT 1) AS one LEFT JOIN counters c ON c.campaign = ?",
        (campaign, campaign, campaign),
    )
    assert row is not None  # the LEFT JOIN on a one-row table always yields a row
    total, erased, removals = (int(v or 0) for v in row)
    hour = now // 3600

    async def since(first_hour: int) -> tuple[int, int]:
        found = await db.fetchone(
            "SELECT SUM(signed), SUM(withdrawn) FROM activity WHERE campaign = ? AND hour >= ?",
            (campaign, first_hour),
        )
        return (int(found[0] or 0), int(found[1] or 0)) if found else (0, 0)

    today, today_erased = await since((now // 86400) * 24)
    week, week_erased = await since(hour - 7 * 24 + 1)
    languages = await db.fetchall(
        "SELECT language, COUNT(*) FROM signatures WHERE campaign = ? GROUP BY language",
        (campaign,),
    )
    return Stats(
        total=total,
        today=today,
        week=week,
        withdrawals=max(0, erased - removals),
        removals=removals,
        today_erased=today_erased,
        week_erased=week_erased,
        by_language={str(r[0]): int(r[1]) for r in languages},
    )


async def source_labels(db: Database, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    marks = ",".join("?" for _ in codes)
    rows = await db.fetchall(f"SELECT code, label FROM sources WHERE code IN ({marks})", codes)
    return {str(r[0]): str(r[1]) for r in rows}


async def per_day(db: Database, campaign: str, now: int, days: int = 30) -> list[int]:
    """Signatures per UTC day, oldest first, the last entry being today."""
    first_day = now // 86400 - days + 1
    rows = await db.fetchall(
        "SELECT hour / 24, SUM(signed) FROM activity WHERE campaign = ? AND hour >= ?"
        " GROUP BY hour / 24",
        (campaign, first_day * 24),
    )
    counts = [0] * days
    for day, n in rows:
        index = int(day) - first_day
        if 0 <= index < days:
            counts[index] = int(n)
    return counts


# -- goals -------------------------------------------------------------------------------


async def set_goal_override(db: Database, campaign: str, goal: int | None) -> None:
    await db.execute(
        "INSERT INTO counters (campaign, goal_override) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET goal_override = excluded.goal_override",
        (campaign, goal),
    )


async def set_ladder(db: Database, campaign: str, ladder: tuple[int, ...] | None) -> None:
    stored = ",".join(str(step) for step in ladder) if ladder else None
    await db.execute(
        "INSERT INTO counters (campaign, ladder_override) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET ladder_override = excluded.ladder_override",
        (campaign, stored),
    )
