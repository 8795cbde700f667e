"""Sources: where signers come from (a group, a named link), for attribution in the stats."""

from __future__ import annotations

import secrets
import string

from bot.storage.engine import Database

_ALPHABET = string.ascii_letters + string.digits


async def exists(db: Database, code: str) -> bool:
    return await db.fetchone("SELECT 1 FROM sources WHERE code = ?", (code,)) is not None


async def count_visit(db: Database, campaign: str, source: str | None) -> None:
    await db.execute(
        "INSERT INTO source_visits (campaign, source, visits) VALUES (?, ?, 1)"
        " ON CONFLICT (campaign, source) DO UPDATE SET visits = visits + 1",
        (campaign, source or ""),
    )


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


async def with_counts(db: Database) -> list[tuple[str, str, str, int, int]]:
    """Each source with its visits and the signatures it brought (all campaigns)."""
    rows = await db.fetchall(
        "SELECT s.code, s.kind, s.label,"
        " (SELECT COALESCE(SUM(v.visits), 0) FROM source_visits v WHERE v.source = s.code),"
        " (SELECT COUNT(*) FROM signatures g WHERE g.source = s.code)"
        " FROM sources s ORDER BY s.created_at"
    )
    return [(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4])) for r in rows]


async def for_inline(db: Database, now: int) -> str:
    """The single source that stands for cards posted through inline mode."""
    code = await db.scalar("SELECT code FROM sources WHERE kind = 'inline' LIMIT 1")
    if code:
        return str(code)
    return await create(db, "inline", "inline", now, prefix="i")
