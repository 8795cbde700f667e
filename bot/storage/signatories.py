"""Public names: the bot's signatory list, the documents' list, and the organisers' review.

The WHERE clause comes from `bot.domain.signatories.Listing`, so the list in the bot, the PDF
and the plain list can never disagree about who is shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

from bot.domain.signatories import Entry, Listing, Place
from bot.storage.engine import Database, Row

_FIELDS = "number, name, role, organisation"
_PUBLIC_NAME = "public = 1 AND name IS NOT NULL AND name != ''"  # chosen public, still named


def shown_condition(listing: Listing, place: Place) -> tuple[str, list[Any]]:
    """The SQL condition for a signature whose name is shown at `place`, and its parameters
    (the columns unqualified: `signatures` or `signatures s` alone has them)."""
    if place is Place.BOT and not listing.in_bot:
        return "0", []
    reviews = [r.value for r in listing.reviews_shown()]
    sql = f"{_PUBLIC_NAME} AND review IN ({','.join('?' for _ in reviews)})"
    if listing.needs_consent(place):
        sql += " AND list_consent = 1"
    return sql, reviews


def _shown(listing: Listing, place: Place) -> tuple[str, list[Any]]:
    """`shown_condition` to append after `campaign = ?`."""
    sql, params = shown_condition(listing, place)
    return f" AND {sql}", params


async def count(db: Database, campaign: str, listing: Listing, place: Place) -> int:
    where, params = _shown(listing, place)
    return int(
        await db.scalar(
            f"SELECT COUNT(*) FROM signatures WHERE campaign = ?{where}", (campaign, *params), 0
        )
    )


def _entry(row: Row, position: int) -> Entry:
    return Entry(position, int(row[0]), str(row[1]), row[2], row[3])


async def listed(
    db: Database, campaign: str, listing: Listing, offset: int, limit: int
) -> list[Entry]:
    """Up to `limit` names the bot lists, from position `offset + 1` in signing order.

    Paged by position, never by signature number: a number would tell a reader how many
    unlisted signatures sit between two public names (and numbers are shared by campaigns).
    """
    where, params = _shown(listing, Place.BOT)
    rows = await db.fetchall(
        f"SELECT {_FIELDS} FROM signatures WHERE campaign = ?{where}"
        " ORDER BY number LIMIT ? OFFSET ?",
        (campaign, *params, limit, max(0, offset)),
    )
    return [_entry(row, offset + 1 + i) for i, row in enumerate(rows)]


async def documents(db: Database, campaign: str, listing: Listing) -> AsyncIterator[Row]:
    """(name, role, organisation) of every name the documents show, in signing order."""
    where, params = _shown(listing, Place.DOCUMENTS)
    # The unary plus keeps SQLite on the number order (see bot.storage.admin._export_sql).
    async for row in db.stream(
        f"SELECT {_FIELDS} FROM signatures WHERE +campaign = ?{where}", (campaign, *params), 2000
    ):
        yield row[1:]


# -- review ------------------------------------------------------------------------------

_WAITING = f"campaign = ? AND {_PUBLIC_NAME} AND review = 'waiting'"


async def waiting_count(db: Database, campaign: str, listing: Listing | None = None) -> int:
    """Names in the review queue; with `listing`, only those the bot would list once approved."""
    consent = " AND list_consent = 1" if listing and listing.needs_consent(Place.BOT) else ""
    return int(
        await db.scalar(
            f"SELECT COUNT(*) FROM signatures WHERE {_WAITING}{consent}", (campaign,), 0
        )
    )


async def waiting(db: Database, campaign: str, limit: int) -> list[Entry]:
    """The oldest public names not yet reviewed (position = place in the queue)."""
    rows = await db.fetchall(
        f"SELECT {_FIELDS} FROM signatures WHERE {_WAITING} ORDER BY number LIMIT ?",
        (campaign, limit),
    )
    return [_entry(row, i) for i, row in enumerate(rows, 1)]


def batch_digest(campaign: str, entries: list[Entry]) -> str:
    """What a reviewer saw, in 12 hex digits: a batch is approved only if nothing in it
    changed (an edited name goes back to the queue and must be looked at again)."""
    seen = "\n".join(
        f"{e.number}\x1f{e.name}\x1f{e.role or ''}\x1f{e.organisation or ''}" for e in entries
    )
    return hashlib.sha256(f"{campaign}\n{seen}".encode()).hexdigest()[:12]


async def approve_batch(db: Database, campaign: str, first: int, last: int, digest: str) -> int:
    """Approves the waiting names numbered `first`..`last` if they are exactly what was seen
    (`batch_digest`); returns how many, or -1 when the batch changed (nothing approved)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"SELECT {_FIELDS} FROM signatures WHERE {_WAITING} AND number BETWEEN ? AND ?"
            " ORDER BY number",
            (campaign, first, last),
        )
        entries = [_entry(tuple(row), i) for i, row in enumerate(await cur.fetchall(), 1)]
        if not entries or batch_digest(campaign, entries) != digest:
            return -1
        marks = ",".join("?" for _ in entries)
        cur = await conn.execute(
            f"UPDATE signatures SET review = 'approved' WHERE number IN ({marks})",
            [e.number for e in entries],
        )
        return int(cur.rowcount)


async def hide(db: Database, number: int) -> bool:
    """Takes one name out of the list and the documents; the signature and the count stay."""
    changed = await db.execute(
        "UPDATE signatures SET review = 'hidden' WHERE number = ? AND name IS NOT NULL",
        (number,),
    )
    return changed == 1


async def unhide(db: Database, number: int) -> bool:
    """A hidden name back to waiting: shown where names need no review, in the queue where
    they do (its signer may have edited it while it was hidden, and nobody saw that). False
    for a name that was not hidden."""
    changed = await db.execute(
        "UPDATE signatures SET review = 'waiting' WHERE number = ? AND review = 'hidden'",
        (number,),
    )
    return changed == 1
