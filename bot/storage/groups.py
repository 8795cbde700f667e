"""Per-group settings: the language a group's administrators chose for the bot's posts there.

A group's chat id identifies a group, not a person; nothing about who chose is kept.
"""

from __future__ import annotations

from bot.storage.engine import Database


async def language(db: Database, chat_id: int) -> str | None:
    """The group's chosen language, or None when its administrators set none."""
    value = await db.scalar("SELECT language FROM group_settings WHERE chat_id = ?", (chat_id,))
    return str(value) if value else None


async def set_language(db: Database, chat_id: int, language: str, now: int) -> None:
    await db.execute(
        "INSERT INTO group_settings (chat_id, language, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,"
        " updated_at = excluded.updated_at",
        (chat_id, language, now),
    )


async def forget(db: Database, chat_id: int) -> int:
    """Clears the group's settings (/language default, or the bot left the group)."""
    return await db.execute("DELETE FROM group_settings WHERE chat_id = ?", (chat_id,))


async def forget_source(db: Database, chat_id: int) -> int:
    """The bot left the group: its source forgets the group's id, and keeps its title so that
    the signatures its links brought stay attributed."""
    return await db.execute(
        "UPDATE sources SET chat_id = NULL WHERE kind = 'group' AND chat_id = ?", (chat_id,)
    )


async def moved(db: Database, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup and Telegram gave it a new id: its language and its
    source (the attribution of links posted there) follow it."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE OR REPLACE group_settings SET chat_id = ? WHERE chat_id = ?",
            (new_chat_id, old_chat_id),
        )
        await conn.execute(
            "UPDATE sources SET chat_id = ? WHERE kind = 'group' AND chat_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM sources WHERE kind = 'group' AND chat_id = ?)",
            (new_chat_id, old_chat_id, new_chat_id),
        )
