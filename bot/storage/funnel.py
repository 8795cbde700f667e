"""The funnel: counts of events per campaign, source and UTC day, never a per-person record."""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from bot.domain.stats import Totals
from bot.storage.engine import Database

DAY = 86_400


class Event(StrEnum):
    """A funnel column."""

    OPENED = "opened"
    STARTED = "started"
    NAMED = "named"
    SIGNED = "signed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


def bump(
    conn: sqlite3.Connection,
    campaign: str,
    source: str | None,
    now: int,
    event: Event,
    shard: int,
) -> None:
    """Adds one to a cell (its `shard` row: bot.storage.shards), inside the caller's
    transaction (the event and its cause commit together)."""
    conn.execute(
        f"INSERT INTO funnel (campaign, source, day, shard, {event}) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (campaign, source, day, shard)"
        f" DO UPDATE SET {event} = funnel.{event} + 1",
        (campaign, source or "", now // DAY, shard),
    )


_SUMS = ", ".join(f"SUM({e})" for e in Event)


async def totals(db: Database, campaign: str) -> dict[str, Totals]:
    """Per source ('' for none), over the campaign's whole life."""
    rows = await db.fetchall(
        f"SELECT source, {_SUMS} FROM funnel WHERE campaign = ? GROUP BY source ORDER BY source",
        (campaign,),
    )
    return {str(r[0]): Totals(*(int(v or 0) for v in r[1:])) for r in rows}


async def per_day(db: Database, campaign: str, now: int, days: int) -> list[tuple[int, int]]:
    """(opened, signed) for each of the last `days` days, oldest first."""
    today = now // DAY
    rows = await db.fetchall(
        "SELECT day, SUM(opened), SUM(signed) FROM funnel"
        " WHERE campaign = ? AND day > ? GROUP BY day",
        (campaign, today - days),
    )
    by_day = {int(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}
    return [by_day.get(day, (0, 0)) for day in range(today - days + 1, today + 1)]


async def daily_rows(db: Database, campaign: str) -> dict[int, dict[str, Totals]]:
    """Every stored day of the campaign with its sources, for the funnel export (small: days
    × sources)."""
    rows = await db.fetchall(
        f"SELECT day, source, {_SUMS} FROM funnel WHERE campaign = ?"
        " GROUP BY day, source ORDER BY day, source",
        (campaign,),
    )
    days: dict[int, dict[str, Totals]] = {}
    for day, source, *counts in rows:
        days.setdefault(int(day), {})[str(source)] = Totals(*(int(v) for v in counts))
    return days
