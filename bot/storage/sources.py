"""Sources: where signers come from (a group, a named link), counted per campaign in
`source_visits` (visits and signatures brought); no signature row says where it came from."""

from __future__ import annotations

import secrets
import sqlite3
import string

from bot.storage.engine import Database
from bot.storage.shards import shard_of

_ALPHABET = string.ascii_letters + string.digits


_EXISTS = "SELECT 1 FROM sources WHERE code = ?"


async def exists(db: Database, code: str) -> bool:
    return await db.fetchone(_EXISTS, (code,)) is not None


def visited(conn: sqlite3.Connection, campaign: str, source: str | None, person: str) -> str | None:
    """Inside the caller's transaction: a visit from `source` counted (from no source when
    it does not exist) in the row `person` picks (bot.storage.shards); returns the source
    counted."""
    if source and conn.execute(_EXISTS, (source,)).fetchone() is None:
        source = None
    conn.execute(
        "INSERT INTO source_visits (campaign, source, shard, visits) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (campaign, source, shard) DO UPDATE SET visits = source_visits.visits + 1",
        (campaign, source or "", shard_of(person)),
    )
    return source


async def for_group(db: Database, chat_id: int, title: str, now: int) -> str:
    """The group's source code, created on first use; the title (cleaned by the caller:
    bot.domain.text_rules.clean_label) is refreshed."""
    code = await db.scalar(
        "SELECT code FROM sources WHERE kind = 'group' AND chat_id = ?", (chat_id,)
    )
    if code:
        await db.execute("UPDATE sources SET label = ? WHERE code = ?", (title, code))
        return str(code)
    return await create(db, "group", title, now, chat_id=chat_id, prefix="g")


async def create(
    db: Database, kind: str, label: str, now: int, *, chat_id: int | None = None, prefix: str = "s"
) -> str:
    while True:
        code = prefix + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        async with db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO sources (code, kind, label, chat_id, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (code, kind, label, chat_id, now),
            )
            if cur.rowcount == 1:
                return code


def count_signed(conn: sqlite3.Connection, campaign: str, source: str | None, shard: int) -> None:
    """One more signature brought by `source` ('' = no link), inside the signing transaction,
    in its `shard` row."""
    conn.execute(
        "INSERT INTO source_visits (campaign, source, shard, signed) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (campaign, source, shard) DO UPDATE SET signed = source_visits.signed + 1",
        (campaign, source or "", shard),
    )


# Every source with its counts in each campaign (the sum of its shards), and the visitors
# without a link as code '': one query, through source_visits_by_source (migrations/0013),
# whatever the signatures.
LISTING_SQL = (
    "SELECT s.code, s.kind, s.label, v.campaign, COALESCE(v.visits, 0), COALESCE(v.signed, 0)"
    " FROM (SELECT code, kind, label, created_at FROM sources"
    "  UNION ALL SELECT '', 'direct', '', -1) s"
    " LEFT JOIN (SELECT source, campaign, SUM(visits) AS visits, SUM(signed) AS signed"
    "  FROM source_visits GROUP BY source, campaign) v ON v.source = s.code"
    " ORDER BY s.created_at, s.code"
)


async def with_counts(db: Database) -> list[tuple[str, str, str, str | None, int, int]]:
    """(code, kind, label, campaign, visits, signatures brought) of each source in each
    campaign (campaign None: counted nowhere yet); code '' (kind 'direct') is no link."""
    rows = await db.fetchall(LISTING_SQL)
    return [
        (str(r[0]), str(r[1]), str(r[2]), None if r[3] is None else str(r[3]), int(r[4]), int(r[5]))
        for r in rows
    ]


async def for_campaign(db: Database, campaign: str) -> dict[str, tuple[int, int]]:
    """(signatures brought, visits) of every source in `campaign`, zeros included, '' = no
    link: a source nobody used is a row like one somebody used."""
    rows = await db.fetchall(
        "SELECT s.code, COALESCE(v.signed, 0), COALESCE(v.visits, 0)"
        " FROM (SELECT code FROM sources UNION SELECT source FROM source_visits"
        "  WHERE campaign = ? UNION SELECT '') s"
        " LEFT JOIN (SELECT source, SUM(visits) AS visits, SUM(signed) AS signed"
        "  FROM source_visits WHERE campaign = ? GROUP BY source) v ON v.source = s.code",
        (campaign, campaign),
    )
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


async def codes(db: Database) -> list[str]:
    """Every source code ('' not included)."""
    return [str(r[0]) for r in await db.fetchall("SELECT code FROM sources")]


async def for_inline(db: Database, now: int) -> str:
    """The single source that stands for cards posted through inline mode."""
    code = await db.scalar("SELECT code FROM sources WHERE kind = 'inline' LIMIT 1")
    if code:
        return str(code)
    return await create(db, "inline", "inline", now, prefix="i")
