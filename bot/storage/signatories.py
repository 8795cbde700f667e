"""Public names: the bot's signatory list, the documents' list, and the organisers' review.

The WHERE clause comes from `bot.domain.signatories.Listing`, so the list in the bot, the PDF
and the plain list can never disagree about who is shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from bot.domain.page_index import MOST, STRETCH, PageIndex, built_from
from bot.domain.review import REVIEW_MOVES, Decision, batch_digest
from bot.domain.signatories import Entry, Listing, Place, Review, Window
from bot.storage.engine import Database, Row
from bot.storage.signatures import count_in

_FIELDS = "number, name, role, organisation"
_PUBLIC_NAME = "public = 1 AND name IS NOT NULL AND name != ''"  # chosen public, still named


def shown_condition(listing: Listing, place: Place) -> tuple[str, list[Any]]:
    """The SQL condition for a signature whose name is shown at `place`, and its parameters
    (the columns unqualified: `signatures` or `signatures s` alone has them)."""
    if not listing.lists_at(place):
        return "0", []
    reviews = [r.value for r in listing.reviews_shown()]
    sql = f"{_PUBLIC_NAME} AND review IN ({','.join('?' for _ in reviews)})"
    if not listing.reviewed:  # a look-alike waits for an organiser all the same
        sql += " AND (lookalike = 0 OR review = ?)"
        reviews.append(Review.APPROVED.value)
    if listing.needs_consent(place):
        sql += " AND web_consent = 1" if place is Place.WEB else " AND list_consent = 1"
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


BUILD_BATCH = 5000  # numbers read per short transaction while the page index is built


async def build_index(db: Database, campaign: str, listing: Listing) -> PageIndex:
    """The page index of the bot's list, read in short transactions of `BUILD_BATCH` numbers
    (a long read would hold up the checkpoint an erasure waits for). Changes made while it
    is read are in the change log from `seen` on, and the next page read counts them in."""
    where, params = _shown(listing, Place.BOT)
    sql = (
        f"SELECT number FROM signatures WHERE campaign = ?{where} AND number > ?"
        f" ORDER BY number LIMIT {BUILD_BATCH}"
    )
    seen = db.changes.finished  # before the first snapshot
    starts: list[int] = []
    listed, after = 0, -1
    while True:
        rows = await db.read(partial(_numbers, sql, (campaign, *params, after)))
        for (number,) in rows:
            if listed and listed % STRETCH == 0:
                starts.append(number)
            listed += 1
        if len(rows) < BUILD_BATCH:
            return built_from(starts, listed, seen)
        after = rows[-1][0]


def _numbers(sql: str, args: tuple[Any, ...], conn: sqlite3.Connection) -> list[Row]:
    return [tuple(row) for row in conn.execute(sql, args)]


async def page(
    db: Database, campaign: str, listing: Listing, index: PageIndex, window: Window
) -> tuple[list[Entry], int, int] | None:
    """(the names `window` asks for once clamped to the list, how many are listed, how many
    signed in all), in one short read; None when the index fell too far behind the change
    log and must be built again. Updates `index` with every change it had not counted."""
    where, params = _shown(listing, Place.BOT)
    finished = db.changes.finished  # before the snapshot: every change below it is in it

    def work(conn: sqlite3.Connection) -> tuple[list[Entry], int, int] | None:
        total = count_in(conn, campaign)  # the snapshot begins here: its changes are noted
        changed = db.changes.since(index.seen)
        if changed is None:
            return None
        stale = {index.stretch_of(n) for c, n in changed if c == campaign}
        for stretch in sorted(stale, reverse=True):  # a split moves only the later ones
            _recount(conn, campaign, where, params, index, stretch)
        index.seen = finished
        listed = index.listed
        offset, limit, _ = window.clamped(listed)
        if offset + limit >= listed:  # the last page (where a forged far one lands): from the end
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM signatures WHERE campaign = ?{where}"
                " ORDER BY number DESC LIMIT ?",
                (campaign, *params, max(0, listed - offset)),
            ).fetchall()[::-1]
        else:
            bound, skip = index.locate(offset)
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM signatures WHERE campaign = ?{where} AND number >= ?"
                " ORDER BY number LIMIT ? OFFSET ?",
                (campaign, *params, bound, limit, skip),
            ).fetchall()
        entries = [_entry(tuple(row), offset + 1 + i) for i, row in enumerate(rows)]
        return entries, listed, total

    return await db.read(work)


def _recount(
    conn: sqlite3.Connection,
    campaign: str,
    where: str,
    params: list[Any],
    index: PageIndex,
    stretch: int,
) -> None:
    """Counts one stretch of the index again (a few hundred rows, unless many names were
    added at the end since the last read), splitting it when it grew past MOST."""
    start, end = index.span(stretch)
    span = " AND number >= ?" + (" AND number < ?" if end is not None else "")
    args = (campaign, *params, start, *([end] if end is not None else []))
    base = f"FROM signatures WHERE campaign = ?{where}{span}"
    count = int(conn.execute(f"SELECT COUNT(*) {base}", args).fetchone()[0])
    numbers = None
    if count > MOST:
        numbers = [n for (n,) in conn.execute(f"SELECT number {base} ORDER BY number", args)]
    index.recounted(stretch, numbers, count)


async def waiting_in_list(db: Database, campaign: str, listing: Listing) -> int:
    """Names in the review queue (`_queue`) that the bot would list once approved, on the
    read connection."""
    consent = " AND list_consent = 1" if listing.needs_consent(Place.BOT) else ""
    sql = f"SELECT COUNT(*) FROM signatures WHERE {_queue(listing)}{consent}"
    args = (campaign, Review.WAITING.value)
    return int(await db.read(lambda conn: conn.execute(sql, args).fetchone()[0]))


async def documents(db: Database, campaign: str, listing: Listing) -> AsyncIterator[Row]:
    """(name, role, organisation) of every name the documents show, in signing order."""
    where, params = _shown(listing, Place.DOCUMENTS)
    # The unary plus keeps SQLite on the number order (see bot.storage.admin._export_sql).
    async for row in db.stream(
        f"SELECT {_FIELDS} FROM signatures WHERE +campaign = ?{where}", (campaign, *params), 2000
    ):
        yield row[1:]


async def on_web(db: Database, campaign: str, listing: Listing) -> AsyncIterator[Entry]:
    """Every name the published site lists, in signing order, on the read connection in
    batches (a long read would hold up an erasure's checkpoint)."""
    where, params = _shown(listing, Place.WEB)
    sql = (
        f"SELECT {_FIELDS} FROM signatures WHERE campaign = ?{where} AND number > ?"
        f" ORDER BY number LIMIT {BUILD_BATCH}"
    )
    position, after = 0, -1
    while True:
        rows = await db.read(partial(_numbers, sql, (campaign, *params, after)))
        for row in rows:
            position += 1
            yield _entry(row, position)
        if len(rows) < BUILD_BATCH:
            return
        after = rows[-1][0]


# -- review ------------------------------------------------------------------------------

_WAITING = f"campaign = ? AND {_PUBLIC_NAME} AND review = ?"


def _queue(listing: Listing) -> str:
    """The review queue (`Listing.queued`): every waiting name with review, only the
    look-alikes without it (the others are listed already)."""
    return _WAITING if listing.reviewed else f"{_WAITING} AND lookalike = 1"


def _in(states: tuple[Review, ...]) -> str:
    return f"review IN ({','.join('?' for _ in states)})"


async def waiting_count(db: Database, campaign: str, listing: Listing) -> int:
    """Names in the review queue."""
    return int(
        await db.scalar(
            f"SELECT COUNT(*) FROM signatures WHERE {_queue(listing)}",
            (campaign, Review.WAITING.value),
            0,
        )
    )


async def waiting(db: Database, campaign: str, listing: Listing, limit: int) -> list[Entry]:
    """The oldest public names in the review queue (position = place in the queue)."""
    rows = await db.fetchall(
        f"SELECT {_FIELDS} FROM signatures WHERE {_queue(listing)} ORDER BY number LIMIT ?",
        (campaign, Review.WAITING.value, limit),
    )
    return [_entry(row, i) for i, row in enumerate(rows, 1)]


async def approve_batch(
    db: Database, campaign: str, listing: Listing, first: int, last: int, digest: str
) -> int:
    """Approves the queued names numbered `first`..`last` if they are exactly what was seen
    (`batch_digest`); returns how many, or -1 when the batch changed (nothing approved)."""
    move = REVIEW_MOVES[Decision.APPROVE]
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"SELECT {_FIELDS} FROM signatures WHERE {_queue(listing)}"
            " AND number BETWEEN ? AND ? ORDER BY number",
            (campaign, Review.WAITING.value, first, last),
        )
        entries = [_entry(tuple(row), i) for i, row in enumerate(await cur.fetchall(), 1)]
        if not entries or batch_digest(campaign, entries) != digest:
            return -1
        marks = ",".join("?" for _ in entries)
        sources = move.ordered_sources
        cur = await conn.execute(
            f"UPDATE signatures SET review = ? WHERE number IN ({marks}) AND {_in(sources)}",
            [move.target.value, *(e.number for e in entries), *(s.value for s in sources)],
        )
        return int(cur.rowcount)


async def _decide(
    db: Database, decision: Decision, number: int, hidden_by: str | None, where: str = ""
) -> bool:
    """One signature moved by `decision` (REVIEW_MOVES); False if it is in no state it allows."""
    move = REVIEW_MOVES[decision]
    sources = move.ordered_sources
    changed = await db.execute(
        "UPDATE signatures SET review = ?, hidden_by = ?"
        f" WHERE number = ? AND {_in(sources)}{where}",
        (move.target.value, hidden_by, number, *(s.value for s in sources)),
    )
    return changed == 1


async def hide(db: Database, number: int, level: str) -> bool:
    """Takes one name out of the list and the documents; the signature and the count stay,
    and readers' reports of it (migrations/0015) have done their work. The hider's level is
    kept: unhiding what an admin hid needs a second admin."""
    hidden = await _decide(db, Decision.HIDE, number, level, " AND name IS NOT NULL")
    if hidden:
        await db.execute("DELETE FROM name_reports WHERE number = ?", (number,))
    return hidden


async def unhide(db: Database, number: int) -> bool:
    """A hidden name back to waiting: shown where names need no review, in the queue where
    they do (its signer may have edited it while it was hidden, and nobody saw that). False
    for a name that was not hidden."""
    return await _decide(db, Decision.UNHIDE, number, None)


async def hidden_by(db: Database, number: int) -> str | None:
    """The level of the organiser who hid this name; None when it is not hidden."""
    value = await db.scalar(
        "SELECT hidden_by FROM signatures WHERE number = ? AND review = ?",
        (number, Review.HIDDEN.value),
    )
    return None if value is None else str(value)


# -- the upgrade to review by default (migrations/0012) ------------------------------------

_LISTED_WITHOUT_REVIEW = "listed_without_review:"  # bot_state key prefix, one per campaign


async def marked_listed_without_review(db: Database) -> list[str]:
    """Campaigns whose names were listed under the old default and are not settled yet."""
    rows = await db.fetchall(
        "SELECT substr(key, ?) FROM bot_state WHERE key LIKE ? ORDER BY key",
        (len(_LISTED_WITHOUT_REVIEW) + 1, _LISTED_WITHOUT_REVIEW + "%"),
    )
    return [str(row[0]) for row in rows]


async def settle_listed_without_review(db: Database, campaign: str, approve: bool) -> int:
    """Approves the campaign's waiting public names if they were listed before review became
    the default (`approve`), and drops its mark, in one transaction; how many were approved."""
    async with db.transaction() as conn:
        approved = 0
        if approve:
            cur = await conn.execute(
                f"UPDATE signatures SET review = ? WHERE {_WAITING}",
                (Review.APPROVED.value, campaign, Review.WAITING.value),
            )
            approved = int(cur.rowcount)
        await conn.execute(
            "DELETE FROM bot_state WHERE key = ?", (_LISTED_WITHOUT_REVIEW + campaign,)
        )
        return approved


# -- skeletons of public names signed before migrations/0014 --------------------------------

_SKELETONS_PENDING = "skeletons_pending"


async def skeletons_pending(db: Database) -> bool:
    return bool(await db.scalar("SELECT 1 FROM bot_state WHERE key = ?", (_SKELETONS_PENDING,)))


async def without_skeleton(db: Database, after: int, limit: int) -> list[tuple[int, str]]:
    """(number, name) of public names with no skeleton yet, in number order after `after`."""
    rows = await db.fetchall(
        f"SELECT number, name FROM signatures WHERE {_PUBLIC_NAME} AND skeleton IS NULL"
        " AND number > ? ORDER BY number LIMIT ?",
        (after, limit),
    )
    return [(int(row[0]), str(row[1])) for row in rows]


async def set_skeletons(db: Database, skeletons: list[tuple[int, str, str]], done: bool) -> None:
    """Stores (number, name, skeleton) where the name is still that one; `done` drops the
    mark in the same transaction."""
    async with db.transaction() as conn:
        await conn.executemany(
            f"UPDATE signatures SET skeleton = ? WHERE number = ? AND name = ? AND {_PUBLIC_NAME}",
            [(shape, number, name) for number, name, shape in skeletons],
        )
        if done:
            await conn.execute("DELETE FROM bot_state WHERE key = ?", (_SKELETONS_PENDING,))
