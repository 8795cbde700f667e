"""Campaigns the database owns, and the versions of every campaign's texts (migration 0018).

Nothing here holds a person: an organiser is their keyed hash (bot.storage.admin.organiser_ref).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from bot.domain.versions import Version
from bot.storage.engine import Database


@dataclass(frozen=True)
class Owned:
    """A campaign the database owns, in the folder format: campaign.toml and current texts."""

    slug: str
    meta: str
    texts: dict[str, str]


@dataclass(frozen=True)
class NewText:
    language: str
    version: str
    body: str


def _in_use(conn: sqlite3.Connection, campaign: str, language: str) -> str | None:
    """The version of the language's text in use; None when it has none (never had one, or
    it was removed)."""
    row = conn.execute(
        "SELECT version, removed_at FROM campaign_versions WHERE campaign = ? AND language = ?"
        " ORDER BY id DESC LIMIT 1",
        (campaign, language),
    ).fetchone()
    return str(row[0]) if row and row[1] is None else None


def _record(
    conn: sqlite3.Connection, campaign: str, text: NewText, organiser: str, now: int
) -> bool:
    """A new version row, unless the text in use is this very one."""
    if _in_use(conn, campaign, text.language) == text.version:
        return False
    signed = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM signatures WHERE campaign = ?)", (campaign,)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO campaign_versions (campaign, language, version, sha256, body, organiser,"
        " after_signatures, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            campaign,
            text.language,
            text.version,
            hashlib.sha256(text.body.encode("utf-8")).hexdigest(),
            text.body,
            organiser,
            int(signed),
            now,
        ),
    )
    return True


async def record_texts(
    db: Database, campaign: str, texts: list[NewText], organiser: str, now: int
) -> list[str]:
    """Each text a version of its campaign's language unless already the one in use; returns
    the languages that got a new version (a folder's edited file, a sent document)."""

    def work(conn: sqlite3.Connection) -> list[str]:
        return [t.language for t in texts if _record(conn, campaign, t, organiser, now)]

    return await db.atomic(work)


async def store(
    db: Database, slug: str, meta: str, texts: list[NewText], organiser: str, now: int
) -> list[str]:
    """The campaign owned by the database from now on, with `meta` as its campaign.toml and
    `texts` as its current texts, in one transaction; returns the languages with a new
    version."""

    def work(conn: sqlite3.Connection) -> list[str]:
        conn.execute(
            "INSERT INTO campaigns (slug, meta, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (slug) DO UPDATE SET meta = excluded.meta, updated_at = excluded.updated_at",
            (slug, meta, now, now),
        )
        return [t.language for t in texts if _record(conn, slug, t, organiser, now)]

    return await db.atomic(work)


async def remove_text(db: Database, campaign: str, language: str, now: int) -> bool:
    """The campaign no longer has a text in `language`: its version in use is marked removed
    (every version stays, for the signatures that confirmed one). False when it had none."""
    changed = await db.execute(
        "UPDATE campaign_versions SET removed_at = ? WHERE id = (SELECT MAX(id)"
        " FROM campaign_versions WHERE campaign = ? AND language = ?) AND removed_at IS NULL",
        (now, campaign, language),
    )
    return changed == 1


async def exists(db: Database, slug: str) -> bool:
    """Whether the database owns a campaign of this slug, or ever held a text of one (a slug
    with signatures or versions is never given to a new campaign)."""
    return bool(
        await db.scalar(
            "SELECT EXISTS (SELECT 1 FROM campaigns WHERE slug = ?)"
            " OR EXISTS (SELECT 1 FROM campaign_versions WHERE campaign = ?)"
            " OR EXISTS (SELECT 1 FROM counters WHERE campaign = ?)"
            " OR EXISTS (SELECT 1 FROM counter_shards WHERE campaign = ?)",
            (slug, slug, slug, slug),
        )
    )


async def owned(db: Database) -> list[Owned]:
    """Every campaign the database owns, in the order they came, with their current texts."""

    def work(conn: sqlite3.Connection) -> list[Owned]:
        campaigns = conn.execute("SELECT slug, meta FROM campaigns ORDER BY created_at, slug")
        result = []
        for slug, meta in campaigns.fetchall():
            rows = conn.execute(
                "SELECT language, body FROM campaign_versions v WHERE campaign = ? AND id ="
                " (SELECT MAX(id) FROM campaign_versions w"
                "  WHERE w.campaign = v.campaign AND w.language = v.language)"
                " AND removed_at IS NULL",
                (slug,),
            ).fetchall()
            result.append(Owned(str(slug), str(meta), {str(r[0]): str(r[1]) for r in rows}))
        return result

    return await db.read(work)


async def history(db: Database) -> list[Version]:
    rows = await db.fetchall(
        "SELECT campaign, language, version, created_at, after_signatures"
        " FROM campaign_versions ORDER BY id"
    )
    return [Version(str(r[0]), str(r[1]), str(r[2]), int(r[3]), bool(r[4])) for r in rows]


async def body(db: Database, campaign: str, version: str) -> str | None:
    """The file of one version (the newest row of it: a text put back is the same text)."""
    found = await db.scalar(
        "SELECT body FROM campaign_versions WHERE campaign = ? AND version = ?"
        " ORDER BY id DESC LIMIT 1",
        (campaign, version),
    )
    return None if found is None else str(found)


async def signed_per_version(db: Database, campaign: str) -> list[tuple[str, int]]:
    """How many signatures confirmed each version ('' for those before versions): one
    aggregate, a row per version."""

    def work(conn: sqlite3.Connection) -> list[tuple[str, int]]:
        rows = conn.execute(
            "SELECT COALESCE(version, ''), COUNT(*) FROM signatures WHERE campaign = ? GROUP BY 1",
            (campaign,),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    return await db.read(work)
