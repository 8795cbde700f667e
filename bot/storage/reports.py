"""Readers' reports of public names (migrations/0015): one row per name and reader."""

from __future__ import annotations

from bot.domain.reports import Reported
from bot.domain.signatories import Entry
from bot.storage.engine import Database


async def add(
    db: Database, number: int, campaign: str, reporter: str, now: int, per_day: int
) -> tuple[Reported, bool]:
    """Records the report unless this reader made it before or reached `per_day` reports in
    24 hours; also whether it is the first report of this name (moderators are told once)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT 1 FROM name_reports WHERE number = ? AND reporter = ?", (number, reporter)
        )
        if await cur.fetchone():
            return Reported.ALREADY, False
        cur = await conn.execute(
            "SELECT COUNT(*) FROM name_reports WHERE reporter = ? AND reported_at > ?",
            (reporter, now - 86400),
        )
        row = await cur.fetchone()
        if row is not None and int(row[0]) >= per_day:
            return Reported.TOO_MANY, False
        cur = await conn.execute("SELECT 1 FROM name_reports WHERE number = ?", (number,))
        first = await cur.fetchone() is None
        await conn.execute(
            "INSERT INTO name_reports (number, reporter, campaign, reported_at)"
            " VALUES (?, ?, ?, ?)",
            (number, reporter, campaign, now),
        )
        return Reported.REPORTED, first


async def reported(db: Database, campaign: str, limit: int) -> list[tuple[Entry, int]]:
    """The campaign's reported names with how many readers reported each, oldest signature
    first (position = place in this list)."""
    rows = await db.fetchall(
        "SELECT s.number, s.name, s.role, s.organisation, COUNT(*) FROM name_reports r"
        " JOIN signatures s ON s.number = r.number"
        " WHERE r.campaign = ? AND s.name IS NOT NULL"
        " GROUP BY s.number ORDER BY s.number LIMIT ?",
        (campaign, limit),
    )
    return [(Entry(i, int(r[0]), str(r[1]), r[2], r[3]), int(r[4])) for i, r in enumerate(rows, 1)]


async def expire(db: Database, before: int) -> int:
    """Reports older than `before` (bot.domain.reports.REPORT_DAYS), acted on or not."""
    return await db.execute("DELETE FROM name_reports WHERE reported_at < ?", (before,))
