"""The signing flow's state: one draft per person, erased when confirmed, cancelled or stale.

Funnel events are counted in the same transaction as the draft change that caused them, so a
redelivered update that changes nothing counts nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from bot.domain.signatures import Counted, Draft, Step
from bot.storage import funnel
from bot.storage.engine import Database
from bot.storage.funnel import Event

_COLUMNS = (
    "person, campaign, step, name, role, organisation, public, editing, message_id,"
    " last_update, updated_at, source, counted"
)
_PLACES = ", ".join("?" for _ in _COLUMNS.split(","))


def _draft(row: tuple[Any, ...]) -> Draft:
    return Draft(
        person=row[0],
        campaign=row[1],
        step=Step.parse(row[2], bool(row[3])),
        name=row[3],
        role=row[4],
        organisation=row[5],
        public=None if row[6] is None else bool(row[6]),
        editing=bool(row[7]),
        message_id=row[8],
        last_update=row[9],
        updated_at=row[10],
        source=row[11],
        counted=Counted(row[12]),
    )


def _values(draft: Draft) -> tuple[Any, ...]:
    return (
        draft.person,
        draft.campaign,
        draft.step.value,
        draft.name,
        draft.role,
        draft.organisation,
        None if draft.public is None else int(draft.public),
        int(draft.editing),
        draft.message_id,
        draft.last_update,
        draft.updated_at,
        draft.source,
        int(draft.counted),
    )


def _bump(conn: sqlite3.Connection, draft: Draft, events: Iterable[Event]) -> None:
    for event in events:
        funnel.bump(conn, draft.campaign, draft.source, draft.updated_at, event)


async def get(db: Database, person: str, now: int, ttl: int) -> Draft | None:
    """The person's live draft; a stale one counts as absent (the expiry job erases it)."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM drafts WHERE person = ? AND updated_at > ?", (person, now - ttl)
    )
    return _draft(row) if row else None


def _unchanged(conn: sqlite3.Connection, person: str, expected: Draft | None, stale: int) -> bool:
    """Whether the person's stored draft is still exactly `expected`; None stands for no live
    draft: none at all, or one last touched at or before `stale` (the expiry job's to erase)."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM drafts WHERE person = ?", (person,)).fetchone()
    stored = _draft(tuple(row)) if row else None
    if expected is None:
        return stored is None or stored.updated_at <= stale
    return stored == expected


async def replace_if(
    db: Database,
    expected: Draft | None,
    draft: Draft,
    events: Iterable[Event] = (),
    *,
    stale_before: int = 0,
) -> bool:
    """The one way a draft is written: `draft` replaces the stored one only if that is still
    exactly `expected` (None: no live draft, see `_unchanged`), and `events` count only then.
    Two taps (or a tap and typed text) that both read the same draft cannot both move it."""
    todo = tuple(events)

    def work(conn: sqlite3.Connection) -> bool:
        if not _unchanged(conn, draft.person, expected, stale_before):
            return False
        conn.execute(
            f"INSERT OR REPLACE INTO drafts ({_COLUMNS}) VALUES ({_PLACES})", _values(draft)
        )
        _bump(conn, draft, todo)
        return True

    return await db.atomic(work)


def take(conn: sqlite3.Connection, expected: Draft) -> bool:
    """Inside the caller's transaction: erases the person's draft if it is still exactly
    `expected` (a sign button consumes the draft it was shown with, once)."""
    if not _unchanged(conn, expected.person, expected, 0):
        return False
    conn.execute("DELETE FROM drafts WHERE person = ?", (expected.person,))
    return True


async def delete(db: Database, person: str, now: int, event: Event | None = None) -> bool:
    """Erases the person's draft; a signing draft counts `event` (cancelled) if given."""

    def work(conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "DELETE FROM drafts WHERE person = ? RETURNING campaign, source, step", (person,)
        ).fetchone()
        if row is None:
            return False
        if event is not None and row[2] != Step.VISIT.value:
            funnel.bump(conn, row[0], row[1], now, event)
        return True

    return await db.atomic(work)


async def expire(db: Database, now: int, ttl: int) -> int:
    """Erases stale drafts; the signatures started and never finished count as expired."""

    def work(conn: sqlite3.Connection) -> int:
        rows = conn.execute(
            "DELETE FROM drafts WHERE updated_at <= ? RETURNING campaign, source, step",
            (now - ttl,),
        ).fetchall()
        for campaign, source, step in rows:
            if step != Step.VISIT.value:
                funnel.bump(conn, campaign, source, now, Event.EXPIRED)
        return len(rows)

    return await db.atomic(work)
