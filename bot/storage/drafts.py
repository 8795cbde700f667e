"""The signing flow's state: one draft per person, erased when confirmed, cancelled or stale.

Funnel events are counted in the same transaction as the draft change that caused them, so a
redelivered update that changes nothing counts nothing.

The row also carries a visitor's choices (language, automatic clean-up) until they sign, so
that they expire with the draft. A person with no draft who makes a choice gets a row that
holds only it (campaign HOLDER), which the flow never sees as a draft; a draft written over
it keeps the choices, a cancelled one leaves them, and signing moves them into `preferences`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, NamedTuple

from bot.domain.signatures import Counted, Draft, Step
from bot.storage import funnel
from bot.storage.engine import Database
from bot.storage.funnel import Event
from bot.storage.shards import shard_of

_COLUMNS = (
    "person, campaign, step, name, role, organisation, public, editing, message_id,"
    " last_update, updated_at, source, counted, bot"
)
_PLACES = ", ".join("?" for _ in _COLUMNS.split(","))
_KEEP_CHOICES = ", ".join(
    f"{c} = excluded.{c}" for c in (c.strip() for c in _COLUMNS.split(",")) if c != "person"
)
HOLDER = ""  # the campaign of a row that holds only a visitor's choices
_EMPTY = (
    "campaign = '', step = 'visit', name = NULL, role = NULL, organisation = NULL,"
    " public = NULL, editing = 0, message_id = NULL, source = NULL, counted = 0"
)


class Choices(NamedTuple):
    """A visitor's choices on their draft row, and when that row was last touched."""

    language: str | None
    auto_clean: bool
    touched_at: int


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
        bot=int(row[13]),
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
        draft.bot,
    )


def _bump(conn: sqlite3.Connection, draft: Draft, events: Iterable[Event]) -> None:
    for event in events:
        funnel.bump(
            conn, draft.campaign, draft.source, draft.updated_at, event, shard_of(draft.person)
        )


_LIVE = f"SELECT {_COLUMNS} FROM drafts WHERE person = ? AND updated_at > ? AND campaign != ?"


async def get(db: Database, person: str, now: int, ttl: int) -> Draft | None:
    """The person's live draft; a stale one counts as absent (the expiry job erases it)."""
    row = await db.fetchone(_LIVE, (person, now - ttl, HOLDER))
    return _draft(row) if row else None


def read(conn: sqlite3.Connection, person: str, now: int, ttl: int) -> Draft | None:
    """`get` inside the caller's transaction (one round trip for a whole update)."""
    row = conn.execute(_LIVE, (person, now - ttl, HOLDER)).fetchone()
    return _draft(tuple(row)) if row else None


def _unchanged(conn: sqlite3.Connection, person: str, expected: Draft | None, stale: int) -> bool:
    """Whether the person's stored draft is still exactly `expected`; None stands for no live
    draft: none at all, one last touched at or before `stale` (the expiry job's to erase), or a
    row that holds only choices."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM drafts WHERE person = ?", (person,)).fetchone()
    stored = _draft(tuple(row)) if row else None
    if expected is None:
        return stored is None or stored.updated_at <= stale or stored.campaign == HOLDER
    return stored == expected


async def replace_if(
    db: Database,
    expected: Draft | None,
    draft: Draft,
    events: Iterable[Event] = (),
    *,
    stale_before: int = 0,
) -> bool:
    """`put_if` in a transaction of its own, beside other signers' (it writes only the
    person's row and counts: bot.storage.engine.Database.atomic)."""
    todo = tuple(events)
    return await db.atomic(
        lambda conn: put_if(conn, expected, draft, todo, stale_before), shared=True
    )


def put_if(
    conn: sqlite3.Connection,
    expected: Draft | None,
    draft: Draft,
    events: Iterable[Event] = (),
    stale_before: int = 0,
) -> bool:
    """The one way a draft is written, inside the caller's transaction: `draft` replaces the
    stored one only if that is still exactly `expected` (None: no live draft, see
    `_unchanged`), and `events` count only then. Two taps (or a tap and typed text) that both
    read the same draft cannot both move it. The row's choices stay, unless it was stale
    (they expired with it)."""
    if not _unchanged(conn, draft.person, expected, stale_before):
        return False
    conn.execute(
        "DELETE FROM drafts WHERE person = ? AND updated_at <= ?", (draft.person, stale_before)
    )
    conn.execute(
        f"INSERT INTO drafts ({_COLUMNS}) VALUES ({_PLACES})"
        f" ON CONFLICT (person) DO UPDATE SET {_KEEP_CHOICES}",
        _values(draft),
    )
    _bump(conn, draft, events)
    return True


def take(conn: sqlite3.Connection, expected: Draft, now: int) -> bool:
    """Inside the caller's transaction: erases the person's draft if it is still exactly
    `expected` (a sign button consumes the draft it was shown with, once). The person has
    signed, so the choices it carried become their preferences."""
    if not _unchanged(conn, expected.person, expected, 0):
        return False
    taken = conn.execute(
        "DELETE FROM drafts WHERE person = ? RETURNING language, auto_clean", (expected.person,)
    ).fetchone()
    if taken is None:  # taken by a transaction that committed after our read (PostgreSQL)
        return False
    language, auto_clean = taken
    if language is not None or auto_clean:
        conn.execute(
            "INSERT INTO preferences (person, language, auto_clean, touched_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (person) DO UPDATE SET"
            " language = COALESCE(excluded.language, preferences.language),"
            " auto_clean = CASE WHEN excluded.auto_clean > preferences.auto_clean"
            "  THEN excluded.auto_clean ELSE preferences.auto_clean END,"
            " touched_at = excluded.touched_at",
            (expected.person, language, auto_clean, now),
        )
    return True


async def delete(db: Database, person: str, now: int, event: Event | None = None) -> bool:
    """Erases the person's draft; a signing draft counts `event` (cancelled) if given. Choices
    it carried stay on an emptied row until it expires; False when there was no draft."""

    def work(conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "SELECT campaign, source, step FROM drafts WHERE person = ? AND campaign != ?",
            (person, HOLDER),
        ).fetchone()
        if row is None:
            return False
        conn.execute(f"UPDATE drafts SET {_EMPTY} WHERE person = ?", (person,))
        _drop_empty(conn, person)
        if event is not None and row[2] != Step.VISIT.value:
            funnel.bump(conn, row[0], row[1], now, event, shard_of(person))
        return True

    return await db.atomic(work)


async def expire(db: Database, now: int, ttl: int) -> list[str]:
    """Erases stale drafts; the signatures started and never finished count as expired.
    Returns the persons whose row went (a language it held is no longer in force)."""

    def work(conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute(
            "DELETE FROM drafts WHERE updated_at <= ? RETURNING campaign, source, step, person",
            (now - ttl,),
        ).fetchall()
        for campaign, source, step, person in rows:
            if step != Step.VISIT.value:
                funnel.bump(conn, campaign, source, now, Event.EXPIRED, shard_of(person))
        return [person for *_, person in rows]

    return await db.atomic(work)


def _drop_empty(conn: sqlite3.Connection, person: str) -> int:
    """A row holding neither a draft nor a choice goes: nothing says this person was here."""
    cur = conn.execute(
        "DELETE FROM drafts WHERE person = ? AND campaign = ? AND language IS NULL"
        " AND auto_clean = 0",
        (person, HOLDER),
    )
    return int(cur.rowcount)


async def choices(db: Database, person: str, now: int, ttl: int) -> Choices | None:
    """The choices on the person's live row (a draft or a holder), if any."""
    row = await db.fetchone(
        "SELECT language, auto_clean, updated_at FROM drafts WHERE person = ? AND updated_at > ?"
        " AND (language IS NOT NULL OR auto_clean = 1)",
        (person, now - ttl),
    )
    return Choices(row[0], bool(row[1]), int(row[2])) if row else None


async def choose(
    db: Database,
    person: str,
    now: int,
    ttl: int,
    *,
    language: str | None = None,
    auto_clean: bool | None = None,
) -> int:
    """A visitor's choice, on their draft row (made, holding only it, if there is no live
    one; touching it keeps the draft alive as any step does). Clean-up off clears the field,
    and a row left holding nothing goes: returns the rows deleted."""

    def work(conn: sqlite3.Connection) -> int:
        conn.execute("DELETE FROM drafts WHERE person = ? AND updated_at <= ?", (person, now - ttl))
        conn.execute(
            f"INSERT INTO drafts ({_COLUMNS}) VALUES ({_PLACES}) ON CONFLICT (person) DO NOTHING",
            _values(Draft(person, HOLDER, Step.VISIT, updated_at=now)),
        )
        if language is not None:
            conn.execute(
                "UPDATE drafts SET language = ?, updated_at = ? WHERE person = ?",
                (language, now, person),
            )
        if auto_clean is not None:
            conn.execute(
                "UPDATE drafts SET auto_clean = ?, updated_at = ? WHERE person = ?",
                (int(auto_clean), now, person),
            )
        return _drop_empty(conn, person)

    return await db.atomic(work)
