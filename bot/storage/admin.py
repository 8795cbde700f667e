"""Admin queries: the audit trail, stats, goal overrides, exports, broadcasts and backups.

Nothing here returns Telegram ids to callers that could put them in an export: the only raw
ids are subscriptions.chat_id and deliveries.chat_id, used by the broadcast runner alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage.db import Database, Row

# -- audit -------------------------------------------------------------------------------


async def audit(db: Database, admin_id: int, action: str, detail: str, now: int) -> None:
    """One row per admin action; `detail` names campaigns and numbers, never people."""
    await db.execute(
        "INSERT INTO audit_log (admin_id, action, detail, at) VALUES (?, ?, ?, ?)",
        (admin_id, action, detail[:500], now),
    )


async def audit_entries(db: Database, limit: int = 50) -> list[tuple[int, str, str, int]]:
    rows = await db.fetchall(
        "SELECT admin_id, action, detail, at FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


# -- exports -----------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "number",
    "name",
    "role",
    "organisation",
    "public",
    "language",
    "source",
    "signed_at",
)


_EXPORT_SQL = (
    "SELECT s.number, s.name, s.role, s.organisation, s.public, s.language,"
    " COALESCE(src.label, ''), s.signed_at FROM signatures s"
    " LEFT JOIN sources src ON src.code = s.source"
    " WHERE s.campaign = ? ORDER BY s.number"
)


def export_rows(db: Database, campaign: str, batch: int = 2000) -> AsyncIterator[Row]:
    """(number, name, role, organisation, public, language, source label, signed_at), streamed.

    No signer hash and no Telegram id: the export is meant to leave the server.
    """
    return db.stream(_EXPORT_SQL, (campaign,), batch)


async def export_batches(
    db: Database, campaign: str, batch: int = 2000
) -> AsyncIterator[list[Row]]:
    """The same rows as `export_rows`, a batch at a time, for the CSV writer's fast path.

    Source labels come from a dict loaded once (there are few sources) instead of a join
    evaluated for each of a million rows.
    """
    labels = {str(r[0]): str(r[1]) for r in await db.fetchall("SELECT code, label FROM sources")}
    async for rows in db.stream_batches(
        "SELECT number, name, role, organisation, public, language, source, signed_at"
        " FROM signatures WHERE campaign = ? ORDER BY number",
        (campaign,),
        batch,
    ):
        # A code whose source is gone is blanked, never exported raw.
        yield [r if r[6] is None else (*r[:6], labels.get(r[6], ""), r[7]) for r in rows]


def public_names(db: Database, campaign: str, batch: int = 2000) -> AsyncIterator[Row]:
    """(name, role, organisation) of public signatures that still carry a name."""
    return db.stream(
        "SELECT name, role, organisation FROM signatures"
        " WHERE campaign = ? AND public = 1 AND name IS NOT NULL AND name != ''"
        " ORDER BY number",
        (campaign,),
        batch,
    )


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


_BROADCAST_COLUMNS = "id, campaign, admin_id, html, status, kind, sent, failed, progress_message"


async def subscriber_count(db: Database, campaign: str) -> int:
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM subscriptions WHERE campaign = ? AND active = 1", (campaign,), 0
        )
    )


async def create_draft(db: Database, campaign: str, admin_id: int, html: str, now: int) -> int:
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, created_at)"
            " VALUES (?, ?, ?, 'draft', ?)",
            (campaign, admin_id, html, now),
        )
        return int(cur.lastrowid or 0)


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(
        f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
    )
    return Broadcast(*row) if row else None


# Recipients: active subscriptions, each in the signer's chosen language, else the language
# they signed in.
_RECIPIENTS = (
    "SELECT ?, sub.chat_id, COALESCE(sg.language, sig.language) FROM subscriptions sub"
    " LEFT JOIN signers sg ON sg.signer = sub.signer"
    " LEFT JOIN signatures sig ON sig.campaign = sub.campaign AND sig.signer = sub.signer"
    " WHERE sub.campaign = ? AND sub.active = 1"
)


async def start_broadcast(db: Database, broadcast_id: int) -> int | None:
    """Draft -> sending with one delivery row per recipient, atomically; None if not a draft.

    Only the first of two concurrent confirmations moves the status, so a double tap cannot
    queue the message twice.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'draft'"
            " RETURNING campaign",
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
        "UPDATE broadcasts SET status = 'cancelled', finished_at = ?"
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
        if blocked:
            await conn.execute("UPDATE subscriptions SET active = 0 WHERE chat_id = ?", (chat_id,))


async def finish_broadcast(db: Database, broadcast_id: int, now: int) -> Broadcast | None:
    """Marks it done and deletes its delivery rows (raw chat ids); the counts stay."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?"
            " WHERE id = ? AND status = 'sending'",
            (now, broadcast_id),
        )
        await conn.execute("DELETE FROM deliveries WHERE broadcast = ?", (broadcast_id,))
        await conn.execute("DELETE FROM broadcast_texts WHERE broadcast = ?", (broadcast_id,))
    return await get_broadcast(db, broadcast_id)


async def unfinished_broadcasts(db: Database) -> list[int]:
    rows = await db.fetchall("SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id")
    return [int(r[0]) for r in rows]


# -- backup ------------------------------------------------------------------------------


async def backup_to(db: Database, target: Path) -> None:
    """A consistent copy through SQLite's online backup API (all pages in one step)."""
    async with aiosqlite.connect(str(target)) as copy:
        await db.conn.backup(copy)
