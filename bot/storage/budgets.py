"""Organisers' hourly budgets (migrations/0027): one row per organiser and kind, read and
written in one write transaction, so every worker draws on the same budget."""

from __future__ import annotations

import sqlite3

from bot.domain import budgets
from bot.domain.budgets import WINDOW, Decision, Kind, Spent
from bot.storage.engine import Database


async def spend(db: Database, organiser: str, kind: Kind, now: int, limit: int) -> Decision:
    """The budget rule (bot.domain.budgets.spend) on the stored `Spent`, in one transaction
    that first forgets every organiser the hour holds nothing of."""

    def work(conn: sqlite3.Connection) -> Decision:
        conn.execute("DELETE FROM organiser_budgets WHERE newest <= ?", (now - WINDOW,))
        row = conn.execute(
            "SELECT times, announced FROM organiser_budgets WHERE organiser = ? AND kind = ?",
            (organiser, kind.value),
        ).fetchone()
        spent = Spent(tuple(int(t) for t in row[0].split()), bool(row[1])) if row else Spent()
        decision = budgets.spend(spent, now, limit)
        kept = decision.spent
        if kept.empty:  # only a refusal with nothing in the hour: nothing to remember
            conn.execute(
                "DELETE FROM organiser_budgets WHERE organiser = ? AND kind = ?",
                (organiser, kind.value),
            )
        else:
            conn.execute(
                "INSERT INTO organiser_budgets (organiser, kind, times, announced, newest)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (organiser, kind) DO UPDATE SET"
                " times = excluded.times, announced = excluded.announced,"
                " newest = excluded.newest",
                (
                    organiser,
                    kind.value,
                    " ".join(str(t) for t in kept.times),
                    int(kept.announced),
                    max(kept.times),
                ),
            )
        return decision

    return await db.atomic(work)
