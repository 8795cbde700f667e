"""The funnel: counts of events per campaign, source and hour, never a per-person record."""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from bot.domain.stats import Totals
from bot.storage.engine import Database


class Event(StrEnum):
    """A funnel column."""

    OPENED = "opened"
    STARTED = "started"
    NAMED = "named"
    SIGNED = "signed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


def bump(
    conn: sqlite3.Connection, campaign: str, source: str | None, now: int, event: Event, n: int = 1
) -> None:
    """Adds `n` to one cell, inside the caller's transaction (the event and its cause commit
    together)."""
    conn.execute(
        f"INSERT INTO funnel (campaign, source, hour, {event}) VALUES (?, ?, ?, ?)"
        f" ON CONFLICT (campaign, source, hour) DO UPDATE SET {event} = {event} + excluded.{event}",
        (campaign, source or "", now // 3600, n),
    )


_SUMS = ", ".join(f"SUM({e})" for e in Event)


async def totals(db: Database, campaign: str) -> tuple[Totals, dict[str, Totals]]:
    """Overall and per source ('' for none), over the campaign's whole life."""
    rows = await db.fetchall(
        f"SELECT source, {_SUMS} FROM funnel WHERE campaign = ? GROUP BY source ORDER BY source",
        (campaign,),
    )
    per_source = {str(r[0]): Totals(*(int(v or 0) for v in r[1:])) for r in rows}
    overall = sum(per_source.values(), Totals())
    return overall, per_source


async def per_day(db: Database, campaign: str, now: int, days: int) -> list[tuple[int, int]]:
    """(opened, signed) for each of the last `days` days, oldest first."""
    first_hour = (now // 86_400 - days + 1) * 24
    rows = await db.fetchall(
        "SELECT hour / 24, SUM(opened), SUM(signed) FROM funnel"
        " WHERE campaign = ? AND hour >= ? GROUP BY hour / 24",
        (campaign, first_hour),
    )
    by_day = {int(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}
    today = now // 86_400
    return [by_day.get(day, (0, 0)) for day in range(today - days + 1, today + 1)]


async def hourly_rows(
    db: Database, campaign: str
) -> list[tuple[int, str, int, int, int, int, int, int]]:
    """Every stored hour of the campaign, for the funnel export (small: hours × sources)."""
    rows = await db.fetchall(
        f"SELECT hour, source, {', '.join(Event)} FROM funnel WHERE campaign = ?"
        " ORDER BY hour, source",
        (campaign,),
    )
    return [
        (int(r[0]), str(r[1]), *(int(v) for v in r[2:]))  # type: ignore[misc]
        for r in rows
    ]
