"""Admin queries: the audit trail, stats, goal overrides, exports, broadcasts and backups.

Nothing here returns Telegram ids to callers that could put them in an export: the only raw
ids are subscriptions.chat_id and deliveries.chat_id, used by the broadcast runner alone, and
broadcasts.admin_id while a broadcast is pending or sending (cleared when it ends). Organisers
are audited by a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.domain.columns import COLUMNS
from bot.domain.signatories import Listing, Place
from bot.storage.engine import Database, Row
from bot.storage.signatories import shown_condition

# -- audit -------------------------------------------------------------------------------


def organiser_ref(key: bytes, user_id: int) -> str:
    """What the audit log keeps of an organiser: a keyed hash, never the raw Telegram id.

    The purpose prefix keeps it apart from every signer pseudonym made with the same key.
    """
    return hmac.new(key, b"admin:" + str(user_id).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    organiser: str  # organiser_ref of who acted
    level: str  # "admin" or "moderator"
    action: str
    detail: str
    at: int


async def audit(
    db: Database, key: bytes, user_id: int, level: str, action: str, detail: str, now: int
) -> None:
    """One row per organiser action; `detail` names campaigns and numbers, never people."""
    await db.execute(
        "INSERT INTO audit_log (organiser, level, action, detail, at) VALUES (?, ?, ?, ?, ?)",
        (organiser_ref(key, user_id), level, action, detail[:500], now),
    )


async def audit_entries(db: Database, limit: int = 50) -> list[AuditEntry]:
    """The newest entries first (entries from before 0005 not yet rekeyed are left out)."""
    rows = await db.fetchall(
        "SELECT organiser, level, action, detail, at FROM audit_log"
        " WHERE organiser IS NOT NULL ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [AuditEntry(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]


def rekey_audit(conn: sqlite3.Connection, key: bytes) -> int:
    """Data step after 0005: raw ids of older audit rows become keyed hashes; returns how many.

    Runs on the raw connection inside the caller's transaction (it does not commit), after
    the signer key was checked; running it again finds nothing left to do.
    """
    rows = conn.execute(
        "SELECT id, legacy_admin_id FROM audit_log WHERE legacy_admin_id IS NOT NULL"
    ).fetchall()
    conn.executemany(
        "UPDATE audit_log SET organiser = ?, legacy_admin_id = NULL WHERE id = ?",
        [(organiser_ref(key, int(admin_id)), row_id) for row_id, admin_id in rows],
    )
    return len(rows)


# -- exports -----------------------------------------------------------------------------


def _export_sql(shown: Listing | None) -> tuple[str, list[Any]]:
    """The SELECT of every export column and the parameters after the campaign's; with
    `shown`, only the signatures whose names the documents show are rows (anonymous, hidden
    or unapproved ones are left out altogether: their time, source and review state identify
    people as much as a name)."""
    # Read a page of numbers at a time (`Database.stream_batches`). The unary plus in
    # `+s.campaign` keeps SQLite from answering each page through the (campaign, signed_at)
    # index, which scans and sorts the whole campaign for every page; it walks the number
    # range instead (twenty times faster at 100,000 signatures).
    # Signatures without a name (counted only, or anonymised by retention) are not rows:
    # exports show them only in the totals.
    sql = (
        f"SELECT {', '.join(c.sql for c in COLUMNS)} FROM signatures s"
        " LEFT JOIN sources src ON src.code = s.source"
        " WHERE +s.campaign = ? AND s.name IS NOT NULL"
    )
    if shown is None:
        return sql, []
    condition, params = shown_condition(shown, Place.DOCUMENTS)
    return f"{sql} AND {condition}", params


def export_batches(
    db: Database, campaign: str, batch: int = 2000, *, shown: Listing | None = None
) -> AsyncIterator[list[Row]]:
    """Rows of `bot.domain.columns.COLUMNS` in number order, a batch at a time; with
    `shown` (the `public-names` option) only the signatures the documents name.

    No signer pseudonym and no Telegram id: the export is meant to leave the server.
    """
    sql, params = _export_sql(shown)
    return db.stream_batches(sql, (campaign, *params), batch, key="s.number")


async def signature_total(db: Database, campaign: str) -> int:
    return int(
        await db.scalar("SELECT COUNT(*) FROM signatures WHERE campaign = ?", (campaign,), 0)
    )


# -- stats -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    total: int
    today: int
    week: int
    withdrawals: int
    by_language: list[tuple[str, int]]
    by_source: list[tuple[str, int, int]]  # (source code, signatures, visits); "" = direct


async def stats(db: Database, campaign: str, now: int) -> Stats:
    row = await db.fetchone(
        "SELECT signatures, withdrawals FROM counters WHERE campaign = ?", (campaign,)
    )
    total, withdrawals = (int(row[0]), int(row[1])) if row else (0, 0)
    hour = now // 3600
    today = await db.scalar(
        "SELECT SUM(signed) FROM activity WHERE campaign = ? AND hour >= ?",
        (campaign, (now // 86400) * 24),
        0,
    )
    week = await db.scalar(
        "SELECT SUM(signed) FROM activity WHERE campaign = ? AND hour > ?",
        (campaign, hour - 7 * 24),
        0,
    )
    languages = await db.fetchall(
        "SELECT language, COUNT(*) FROM signatures WHERE campaign = ?"
        " GROUP BY language ORDER BY 2 DESC, 1",
        (campaign,),
    )
    signed = {
        str(r[0]): int(r[1])
        for r in await db.fetchall(
            "SELECT COALESCE(source, ''), COUNT(*) FROM signatures WHERE campaign = ? GROUP BY 1",
            (campaign,),
        )
    }
    visits = {
        str(r[0]): int(r[1])
        for r in await db.fetchall(
            "SELECT source, visits FROM source_visits WHERE campaign = ?", (campaign,)
        )
    }
    sources = sorted(
        ((code, signed.get(code, 0), visits.get(code, 0)) for code in set(signed) | set(visits)),
        key=lambda s: (-s[1], -s[2], s[0]),
    )
    return Stats(
        total=total,
        today=int(today),
        week=int(week),
        withdrawals=withdrawals,
        by_language=[(str(r[0]), int(r[1])) for r in languages],
        by_source=sources,
    )


async def source_labels(db: Database, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    marks = ",".join("?" for _ in codes)
    rows = await db.fetchall(f"SELECT code, label FROM sources WHERE code IN ({marks})", codes)
    return {str(r[0]): str(r[1]) for r in rows}


async def per_day(db: Database, campaign: str, now: int, days: int = 30) -> list[int]:
    """Signatures per UTC day, oldest first, the last entry being today."""
    first_day = now // 86400 - days + 1
    rows = await db.fetchall(
        "SELECT hour / 24, SUM(signed) FROM activity WHERE campaign = ? AND hour >= ?"
        " GROUP BY hour / 24",
        (campaign, first_day * 24),
    )
    counts = [0] * days
    for day, n in rows:
        index = int(day) - first_day
        if 0 <= index < days:
            counts[index] = int(n)
    return counts


# -- goals -------------------------------------------------------------------------------


async def set_goal_override(db: Database, campaign: str, goal: int | None) -> None:
    await db.execute(
        "INSERT INTO counters (campaign, goal_override) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET goal_override = excluded.goal_override",
        (campaign, goal),
    )


async def set_ladder(db: Database, campaign: str, ladder: tuple[int, ...] | None) -> None:
    stored = ",".join(str(step) for step in ladder) if ladder else None
    await db.execute(
        "INSERT INTO counters (campaign, ladder_override) VALUES (?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET ladder_override = excluded.ladder_override",
        (campaign, stored),
    )


# -- broadcasts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Broadcast:
    id: int
    campaign: str
    admin_id: int
    html: str
    status: str
    kind: str
    sent: int
    failed: int
    progress_message: int | None
    created_at: int


_BROADCAST_COLUMNS = (
    "id, campaign, admin_id, html, status, kind, sent, failed, progress_message, created_at"
)


async def subscriber_count(db: Database, campaign: str) -> int:
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM subscriptions WHERE campaign = ? AND active = 1", (campaign,), 0
        )
    )


DRAFT_HOURS = 1  # a broadcast draft left unconfirmed this long is cancelled, texts and all


async def draft_for(db: Database, campaign: str, admin_id: int, now: int) -> int:
    """This admin's unsent broadcast for `campaign`, created when there is none: each reply
    with /broadcast adds a language to it until it is confirmed or cancelled. A draft older
    than DRAFT_HOURS is cancelled instead, so a forgotten text never rides along."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ?, admin_id = 0"
            " WHERE status = 'draft' AND kind = 'message' AND created_at < ?",
            (now, now - DRAFT_HOURS * 3600),
        )
        cur = await conn.execute(
            "SELECT id FROM broadcasts WHERE campaign = ? AND admin_id = ? AND status = 'draft'"
            " AND kind = 'message' ORDER BY id DESC LIMIT 1",
            (campaign, admin_id),
        )
        row = await cur.fetchone()
        if row is not None:
            return int(row[0])
        cur = await conn.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, created_at)"
            " VALUES (?, ?, '', 'draft', ?)",
            (campaign, admin_id, now),
        )
        return int(cur.lastrowid or 0)


async def set_draft_text(
    db: Database, broadcast_id: int, language: str, html: str, *, default: bool
) -> None:
    """A language's text of a draft (replacing an earlier one); the default language's text
    is also the broadcast's own, which every language without a text of its own gets."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO broadcast_texts (broadcast, language, html) VALUES (?, ?, ?)"
            " ON CONFLICT (broadcast, language) DO UPDATE SET html = excluded.html",
            (broadcast_id, language, html),
        )
        if default:
            await conn.execute(
                "UPDATE broadcasts SET html = ? WHERE id = ? AND status = 'draft'",
                (html, broadcast_id),
            )


async def audience(db: Database, campaign: str) -> dict[str, int]:
    """Active subscribers per language their broadcast is chosen by ("" when unknown)."""
    rows = await db.fetchall(
        "SELECT COALESCE(sub.language, sig.language, ''), COUNT(*) FROM subscriptions sub"
        " LEFT JOIN signatures sig ON sig.campaign = sub.campaign AND sig.signer = sub.signer"
        " WHERE sub.campaign = ? AND sub.active = 1 GROUP BY 1",
        (campaign,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(
        f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
    )
    return Broadcast(*row) if row else None


# Recipients: active subscriptions, each in the signer's chosen language (kept on the
# subscription), else the language they signed in.
_RECIPIENTS = (
    "SELECT ?, sub.chat_id, COALESCE(sub.language, sig.language) FROM subscriptions sub"
    " LEFT JOIN signatures sig ON sig.campaign = sub.campaign AND sig.signer = sub.signer"
    " WHERE sub.campaign = ? AND sub.active = 1"
)


async def start_broadcast(db: Database, broadcast_id: int) -> int | None:
    """Draft -> sending with one delivery row per recipient, atomically; None if not a draft.

    Only the first of two concurrent confirmations moves the status, so a double tap cannot
    queue the message twice.
    """
    async with db.transaction() as conn:
        # A broadcast without its default language's text (`html`) cannot be sent.
        cur = await conn.execute(
            "UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'draft'"
            " AND html != '' RETURNING campaign",
            (broadcast_id,),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (broadcast, chat_id, language) " + _RECIPIENTS,
            (broadcast_id, row[0]),
        )
        return int(cur.rowcount)


async def create_milestone(
    db: Database, campaign: str, default_html: str, texts: dict[str, str], now: int
) -> tuple[int, int]:
    """A 'milestone' broadcast queued for sending at once; (id, recipients)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, kind, created_at)"
            " VALUES (?, 0, ?, 'sending', 'milestone', ?)",
            (campaign, default_html, now),
        )
        broadcast_id = int(cur.lastrowid or 0)
        await conn.executemany(
            "INSERT INTO broadcast_texts (broadcast, language, html) VALUES (?, ?, ?)",
            [(broadcast_id, language, html) for language, html in texts.items()],
        )
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (broadcast, chat_id, language) " + _RECIPIENTS,
            (broadcast_id, campaign),
        )
        return broadcast_id, int(cur.rowcount)


async def cancel_broadcast(db: Database, broadcast_id: int, now: int) -> bool:
    changed = await db.execute(
        "UPDATE broadcasts SET status = 'cancelled', finished_at = ?, admin_id = 0"
        " WHERE id = ? AND status = 'draft'",
        (now, broadcast_id),
    )
    return changed == 1


async def set_progress_message(db: Database, broadcast_id: int, message_id: int | None) -> None:
    await db.execute(
        "UPDATE broadcasts SET progress_message = ? WHERE id = ?", (message_id, broadcast_id)
    )


async def broadcast_texts(db: Database, broadcast_id: int) -> dict[str, str]:
    rows = await db.fetchall(
        "SELECT language, html FROM broadcast_texts WHERE broadcast = ?", (broadcast_id,)
    )
    return {str(r[0]): str(r[1]) for r in rows}


async def pending_deliveries(
    db: Database, broadcast_id: int, limit: int = 200
) -> list[tuple[int, str | None]]:
    rows = await db.fetchall(
        "SELECT chat_id, language FROM deliveries WHERE broadcast = ? AND status = 'pending'"
        " ORDER BY chat_id LIMIT ?",
        (broadcast_id, limit),
    )
    return [(int(r[0]), r[1]) for r in rows]


async def mark_delivery(
    db: Database, broadcast_id: int, chat_id: int, sent: bool, *, blocked: bool = False
) -> None:
    """Records one outcome and its count together; `blocked` also stops that chat's updates."""
    column = "sent" if sent else "failed"
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE deliveries SET status = ? WHERE broadcast = ? AND chat_id = ?"
            " AND status = 'pending'",
            (column, broadcast_id, chat_id),
        )
        if cur.rowcount == 1:
            await conn.execute(
                f"UPDATE broadcasts SET {column} = {column} + 1 WHERE id = ?", (broadcast_id,)
            )
        if blocked:  # the person blocked the bot: their raw id goes, for every campaign
            await conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            await conn.execute(
                "DELETE FROM deliveries WHERE chat_id = ? AND status = 'pending'", (chat_id,)
            )


async def finish_broadcast(db: Database, broadcast_id: int, now: int) -> Broadcast | None:
    """Marks it done and deletes what holds raw chat ids: its delivery rows and admin_id.

    The counts stay. The runner read admin_id when it started, for the last progress edit.
    """
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?, admin_id = 0"
            " WHERE id = ? AND status = 'sending'",
            (now, broadcast_id),
        )
        await conn.execute("DELETE FROM deliveries WHERE broadcast = ?", (broadcast_id,))
        await conn.execute("DELETE FROM broadcast_texts WHERE broadcast = ?", (broadcast_id,))
    return await get_broadcast(db, broadcast_id)


async def unfinished_broadcasts(db: Database) -> list[int]:
    rows = await db.fetchall("SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id")
    return [int(r[0]) for r in rows]
