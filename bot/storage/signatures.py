"""Signatures and their counter, which always move together in one transaction."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from bot.domain.review import REVIEW_MOVES, Decision
from bot.domain.signatories import Review
from bot.domain.signatures import Confirmed, ConfirmResult, Draft, Signature
from bot.storage import drafts, funnel, sources
from bot.storage import signers as signer_store
from bot.storage.engine import Database, Row
from bot.storage.funnel import Event
from bot.storage.shards import shard_of

_EDIT = REVIEW_MOVES[Decision.EDIT]
_EDIT_FROM = ", ".join("?" for _ in _EDIT.ordered_sources)
ANONYMISED = "anonymised:"  # bot_state key prefix: how many rows anonymisation deleted
_SIG_COLUMNS = (
    "number, campaign, name, role, organisation, public, language, signed_at, updated_at,"
    " review, list_consent, lookalike, web_consent"
)
# Whether another public name of the campaign has this skeleton (parameters: campaign,
# skeleton, signer); a NULL skeleton (a name not public) matches nothing. Signers write side
# by side on PostgreSQL: two look-alike names signed at once would each miss the other, so
# `record` first takes the lock of the campaign's skeleton (`_LOOK_ALIKES`), until COMMIT.
# SQLite has one writer: its connection defines the function as doing nothing.
_LOOK_ALIKES = "SELECT pg_advisory_xact_lock(?)"
_LOOKS_LIKE = (
    "CAST(EXISTS (SELECT 1 FROM signatures o WHERE o.campaign = ? AND o.skeleton = ?"
    " AND o.signer != ?) AS INTEGER)"
)


def _signature(row: tuple[Any, ...]) -> Signature:
    return Signature(
        number=row[0],
        campaign=row[1],
        name=row[2],
        role=row[3],
        organisation=row[4],
        public=bool(row[5]),
        language=row[6],
        signed_at=row[7],
        updated_at=row[8],
        review=Review(row[9]),
        list_consent=bool(row[10]),
        lookalike=bool(row[11]),
        web_consent=bool(row[12]),
    )


# What signatures added to a campaign's count since it was settled in `counters` (by the
# migration that sharded it, or by `recount`): the sum of its shards (bot.storage.shards).
_ADDED = "(SELECT COALESCE(SUM(s.signatures), 0) FROM counter_shards s WHERE s.campaign = ?)"
# One campaign's count (parameters: campaign twice), O(1), never COUNT(*): a statement, or
# a subquery in parentheses.
COUNT = f"SELECT COALESCE((SELECT c.signatures FROM counters c WHERE c.campaign = ?), 0) + {_ADDED}"
# Each campaign's count: a subquery with the columns campaign and signatures.
COUNTS = (
    "(SELECT campaign, SUM(signatures) AS signatures FROM"
    " (SELECT campaign, signatures FROM counters"
    "  UNION ALL SELECT campaign, signatures FROM counter_shards) AS parts"
    " GROUP BY campaign)"
)


async def count(db: Database, campaign: str) -> int:
    """O(1): the stored counter, never COUNT(*)."""
    return int(await db.scalar(COUNT, (campaign, campaign), 0))


def count_in(conn: sqlite3.Connection, campaign: str) -> int:
    """`count` inside the caller's transaction."""
    return int(conn.execute(COUNT, (campaign, campaign)).fetchone()[0])


_COUNTER = (
    f"SELECT COALESCE(c.signatures, 0) + {_ADDED}, c.goal_override, c.ladder_override,"
    " (SELECT SUM(a.signed) - SUM(a.withdrawn) FROM activity a"
    "  WHERE a.campaign = ? AND a.hour > ?), c.last_milestone"
    " FROM (SELECT 1) AS one LEFT JOIN counters c ON c.campaign = ?"
)
# (count, admin's next-goal override, admin's ladder override, net signatures in the last
# hours, the highest goal step already announced)
Counter = tuple[int, int | None, tuple[int, ...] | None, int, int]


def _counter(row: Row | None) -> Counter:
    assert row is not None  # the LEFT JOIN on a one-row table always yields a row
    ladder = tuple(int(step) for step in row[2].split(",")) if row[2] else None
    return int(row[0]), row[1], ladder, max(0, int(row[3] or 0)), int(row[4] or 0)


def _counter_params(campaign: str, now: int, hours: int) -> tuple[Any, ...]:
    return (campaign, campaign, now // 3600 - hours, campaign)


async def counter(db: Database, campaign: str, now: int, hours: int = 24) -> Counter:
    """(count, admin's next-goal override, admin's ladder override, net signatures in the last
    `hours` hours, the goal step last announced): what every progress line needs, in one O(1)
    round trip."""
    return _counter(await db.fetchone(_COUNTER, _counter_params(campaign, now, hours)))


def read_counter(conn: sqlite3.Connection, campaign: str, now: int, hours: int = 24) -> Counter:
    """`counter` inside the caller's transaction."""
    row = conn.execute(_COUNTER, _counter_params(campaign, now, hours)).fetchone()
    return _counter(tuple(row) if row is not None else None)


_FIND = f"SELECT {_SIG_COLUMNS} FROM signatures WHERE campaign = ? AND signer = ?"


async def find(db: Database, campaign: str, signer: str) -> Signature | None:
    row = await db.fetchone(_FIND, (campaign, signer))
    return _signature(row) if row else None


def find_in(conn: sqlite3.Connection, campaign: str, signer: str) -> Signature | None:
    """`find` inside the caller's transaction."""
    row = conn.execute(_FIND, (campaign, signer)).fetchone()
    return _signature(tuple(row)) if row else None


async def by_number(db: Database, number: int) -> tuple[Signature, str, str | None] | None:
    """The signature, its pseudonym and its seal (from which a block id is recovered)."""
    row = await db.fetchone(
        f"SELECT {_SIG_COLUMNS}, signer, seal FROM signatures WHERE number = ?", (number,)
    )
    return (_signature(row), row[13], row[14]) if row else None


async def numbers_between(db: Database, campaign: str, start: int, end: int) -> list[int]:
    """The numbers of the campaign's signatures made in [start, end) (a wave of spam for
    /purge), oldest first."""
    rows = await db.fetchall(
        "SELECT number FROM signatures WHERE campaign = ? AND signed_at >= ? AND signed_at < ?"
        " ORDER BY number",
        (campaign, start, end),
    )
    return [int(r[0]) for r in rows]


async def campaigns_with_signatures(db: Database) -> list[str]:
    """Every campaign the database holds signatures for, loaded or not (from the counters)."""
    rows = await db.fetchall(f"SELECT campaign FROM {COUNTS} AS counts ORDER BY campaign")
    return [str(r[0]) for r in rows]


async def of_person(db: Database, pseudonyms: dict[str, str]) -> list[Signature]:
    """A person's signatures, given their pseudonym in each campaign ({campaign: signer})."""
    if not pseudonyms:
        return []
    where = " OR ".join("(campaign = ? AND signer = ?)" for _ in pseudonyms)
    params = [value for pair in pseudonyms.items() for value in pair]
    rows = await db.fetchall(
        f"SELECT {_SIG_COLUMNS} FROM signatures WHERE {where} ORDER BY signed_at", params
    )
    return [_signature(r) for r in rows]


# A signature added to (1) or taken from (-1) its shard of the campaign's count.
_ADD_SIGNATURE = (
    "INSERT INTO counter_shards (campaign, shard, signatures) VALUES (?, ?, ?)"
    " ON CONFLICT (campaign, shard) DO UPDATE"
    " SET signatures = counter_shards.signatures + excluded.signatures"
)


def _lock_key(campaign: str, skeleton: str) -> int:
    """The advisory lock of one skeleton in one campaign: a signed 64-bit number."""
    digest = hashlib.blake2b(f"{campaign}\0{skeleton}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def record(
    conn: sqlite3.Connection,
    draft: Draft,
    *,
    signer: str,
    seal: str,
    block: str,
    language: str,
    now: int,
    stored: Draft | None = None,
    list_consent: bool = False,
    skeleton: str | None = None,
    version: str | None = None,
    web_consent: bool = False,
) -> ConfirmResult:
    """Inside the caller's transaction: records `draft` as a signature, idempotently, if the person's stored draft is still
    exactly `stored` (by default `draft` itself).

    The stored draft is consumed in the same transaction (compare-and-set), so a double-tapped
    or redelivered Confirm, or a tap on an older preview, records nothing. The UNIQUE
    (campaign, signer) constraint is the last line of defence. The whole transaction is one
    round trip to the database thread (`Database.atomic`, from the sign button's use case): it is the hottest write of the bot.
    An update overwrites the old name, role and organisation: only core/erasure calls this.
    `skeleton` is the public name's (bot.domain.lookalikes), None for a name not public; a
    new or changed name that looks like another public name is marked `lookalike`.
    `version` is the text its preview showed (bot.domain.versions); an edit confirms it anew.
    """

    def total() -> int:
        return count_in(conn, draft.campaign)

    if not drafts.take(conn, stored or draft, now):
        return ConfirmResult(Confirmed.NO_DRAFT, total())
    if conn.execute("SELECT 1 FROM blocks WHERE block = ?", (block,)).fetchone():
        return ConfirmResult(Confirmed.BLOCKED, total())
    public = int(bool(draft.public))
    consent = int(list_consent and public)
    on_web = int(web_consent and public)
    shape = skeleton if public else None
    looks_like = (draft.campaign, shape, signer)
    if shape is not None:
        conn.execute(_LOOK_ALIKES, (_lock_key(draft.campaign, shape),))
    shard = shard_of(signer)
    # An edit records what its preview said (`list_consent`); an edit that changes the
    # name (or makes it public) moves its review as REVIEW_MOVES[EDIT] says (a hidden name
    # stays hidden whatever its signer edits). SET reads the old row.
    cur = conn.execute(
        "UPDATE signatures SET review = CASE"
        " WHEN name IS ? AND role IS ? AND organisation IS ? AND public >= ? THEN review"
        f" WHEN review IN ({_EDIT_FROM}) THEN ? ELSE review END,"
        " lookalike = CASE WHEN name IS ? AND public >= ? THEN lookalike"
        f" ELSE {_LOOKS_LIKE} END, skeleton = ?,"
        " name = ?, role = ?, organisation = ?, public = ?, list_consent = ?,"
        " web_consent = ?, version = ?, updated_at = ? WHERE campaign = ? AND signer = ?",
        (
            draft.name,
            draft.role,
            draft.organisation,
            public,
            *_EDIT.ordered_sources,
            _EDIT.target.value,
            draft.name,
            public,
            *looks_like,
            shape,
            draft.name,
            draft.role,
            draft.organisation,
            public,
            consent,
            on_web,
            version,
            now,
            draft.campaign,
            signer,
        ),
    )
    outcome = Confirmed.UPDATED
    if cur.rowcount == 0:
        conn.execute(
            "INSERT INTO signatures (campaign, signer, seal, name, role, organisation,"
            " public, list_consent, web_consent, language, signed_at, skeleton, version,"
            f" lookalike) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_LOOKS_LIKE})",
            (
                draft.campaign,
                signer,
                seal,
                draft.name,
                draft.role,
                draft.organisation,
                public,
                consent,
                on_web,
                language,
                now,
                shape,
                version,
                *looks_like,
            ),
        )
        conn.execute(_ADD_SIGNATURE, (draft.campaign, shard, 1))
        conn.execute(
            "INSERT INTO activity (campaign, hour, shard, signed) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (campaign, hour, shard) DO UPDATE SET signed = activity.signed + 1",
            (draft.campaign, now // 3600, shard),
        )
        # Where it came from is counted, never kept on the row (migrations/0013). Counts are
        # written in one order everywhere (sources before the funnel, as /start's visit), so
        # that two signers whose rows meet do not wait for each other.
        sources.count_signed(conn, draft.campaign, draft.source, shard)
        funnel.bump(conn, draft.campaign, draft.source, now, Event.SIGNED, shard)
        outcome = Confirmed.SIGNED
    sig_row = conn.execute(
        f"SELECT {_SIG_COLUMNS} FROM signatures WHERE campaign = ? AND signer = ?",
        (draft.campaign, signer),
    ).fetchone()
    return ConfirmResult(outcome, total(), _signature(tuple(sig_row)) if sig_row else None)


async def erase(
    db: Database, campaign: str, signer: str, subscriber: str, now: int, removed: bool = False
) -> bool:
    """Deletes the row (not a flag), its subscription (pseudonym `subscriber`, or `signer` for
    one made before version 3) with any pending deliveries of that campaign, and moves the
    counter down; `removed`: an organiser's removal, counted apart from the signers' own
    withdrawals (`withdrawals` counts both). Only bot.core.erasure calls this (it then purges
    the journal)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "DELETE FROM signatures WHERE campaign = ? AND signer = ?", (campaign, signer)
        )
        if cur.rowcount == 0:
            return False
        shard = shard_of(signer)
        await conn.execute(_ADD_SIGNATURE, (campaign, shard, -1))
        await conn.execute(
            "INSERT INTO counters (campaign, withdrawals, removals) VALUES (?, 1, ?)"
            " ON CONFLICT (campaign) DO UPDATE SET withdrawals = counters.withdrawals + 1,"
            " removals = counters.removals + excluded.removals",
            (campaign, int(removed)),
        )
        await conn.execute(
            "INSERT INTO activity (campaign, hour, shard, withdrawn) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (campaign, hour, shard)"
            " DO UPDATE SET withdrawn = activity.withdrawn + 1",
            (campaign, now // 3600, shard),
        )
        await signer_store.delete_subscriptions(conn, [(campaign, subscriber), (campaign, signer)])
    return True


async def recount(db: Database) -> list[tuple[str, int, int]]:
    """Sets every counter to its rows' count plus the rows anonymisation deleted (kept in
    bot_state under `anonymised:<campaign>`), settled in `counters` with its shards emptied;
    returns (campaign, stored, actual) where they differed."""
    fixed = []
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT campaign, MAX(stored), SUM(actual) FROM ("
            f" SELECT campaign, signatures AS stored, 0 AS actual FROM {COUNTS} AS counts"
            " UNION ALL SELECT campaign, 0, COUNT(*) FROM signatures GROUP BY campaign"
            " UNION ALL SELECT substr(key, ?), 0, CAST(value AS INTEGER) FROM bot_state"
            "  WHERE key LIKE ?) AS sums GROUP BY campaign",
            (len(ANONYMISED) + 1, f"{ANONYMISED}%"),
        )
        for campaign, stored, actual in await cur.fetchall():
            if stored != actual:
                await conn.execute(
                    "INSERT INTO counters (campaign, signatures) VALUES (?, ?)"
                    " ON CONFLICT (campaign) DO UPDATE SET signatures = excluded.signatures",
                    (campaign, actual),
                )
                await conn.execute("DELETE FROM counter_shards WHERE campaign = ?", (campaign,))
                fixed.append((campaign, stored, actual))
    return fixed


async def claim_milestone(db: Database, campaign: str, reached: int) -> bool:
    """Marks `reached` as announced; True only for the one caller that moved it."""
    changed = await db.execute(
        "INSERT INTO counters (campaign, last_milestone) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET last_milestone = excluded.last_milestone"
        " WHERE counters.last_milestone < excluded.last_milestone",
        (campaign, reached),
    )
    return changed == 1


async def anonymise(db: Database, campaign: str) -> tuple[int, int]:
    """Deletes the campaign's signatures and subscriptions; its counter and activity stay.

    Not even the second of signing, the language or the review state remains,
    nor a pseudonym the key holder could test. How many rows went is added to bot_state's
    `anonymised:<campaign>`, so `recount` keeps the counter. Returns (signatures deleted,
    subscriptions erased). Only bot.core.erasure calls this.
    """
    async with db.transaction() as conn:
        cur = await conn.execute("DELETE FROM signatures WHERE campaign = ?", (campaign,))
        deleted = cur.rowcount
        if deleted:
            await conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = CAST(bot_state.value AS INTEGER) + CAST(excluded.value AS INTEGER)",
                (ANONYMISED + campaign, str(deleted)),
            )
        await conn.execute(
            "DELETE FROM deliveries WHERE broadcast IN"
            " (SELECT id FROM broadcasts WHERE campaign = ?)",
            (campaign,),
        )
        cur = await conn.execute("DELETE FROM subscriptions WHERE campaign = ?", (campaign,))
    return deleted, cur.rowcount
