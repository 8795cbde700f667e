"""Where each private conversation began, so that it can be deleted from the person's phone;
how long a row is kept is bot.core.trail's rule. One row per person and bot: message ids are
numbered per bot account, and each chat is deleted by its own bot."""

from __future__ import annotations

from typing import Any, NamedTuple

from bot.storage.engine import Database


class Held(NamedTuple):
    first_message: int  # the oldest message id of the conversation
    until: int  # unix seconds when the row expires


_NOTE = (
    "INSERT INTO trail (person, bot, first_message, last_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (person, bot) DO UPDATE SET last_at = excluded.last_at,"
    " first_message = CASE WHEN trail.last_at <= ? THEN excluded.first_message"
    " WHEN trail.first_message < excluded.first_message THEN trail.first_message"
    " ELSE excluded.first_message END"
)


async def note(db: Database, person: str, bot: int, message_id: int, now: int, keep: int) -> None:
    """A message of the conversation: keeps the oldest id still deletable and the time. One
    statement on the person's own row: no write lock (signers' updates run side by side)."""
    await db.write_row(_NOTE, (person, bot, message_id, now, now - keep))


def note_in(conn: Any, person: str, bot: int, message_id: int, now: int, keep: int) -> None:
    """`note` inside the caller's transaction."""
    conn.execute(_NOTE, (person, bot, message_id, now, now - keep))


async def first_message(db: Database, person: str, bot: int, now: int, keep: int) -> int | None:
    value = await db.scalar(
        "SELECT first_message FROM trail WHERE person = ? AND bot = ? AND last_at > ?",
        (person, bot, now - keep),
    )
    return int(value) if value is not None else None


async def held(db: Database, person: str, bot: int, now: int, keep: int) -> Held | None:
    row = await db.fetchone(
        "SELECT first_message, last_at FROM trail WHERE person = ? AND bot = ? AND last_at > ?",
        (person, bot, now - keep),
    )
    return Held(int(row[0]), int(row[1]) + keep) if row else None


async def forget(db: Database, person: str, bot: int) -> None:
    """The chat with `bot` alone: the person's other chats keep where they began."""
    await db.execute("DELETE FROM trail WHERE person = ? AND bot = ?", (person, bot))


async def expire(db: Database, now: int, keep: int) -> int:
    """Rows older than `keep` seconds go (bot.core.trail.keep)."""
    return await db.execute("DELETE FROM trail WHERE last_at <= ?", (now - keep,))


_AUTO_CLEAN = (
    "SELECT MAX(on_) FROM (SELECT auto_clean AS on_ FROM preferences WHERE person = ?"
    " UNION ALL SELECT auto_clean FROM drafts WHERE person = ? AND updated_at > ?) AS choices"
)


async def auto_clean(db: Database, person: str, stale: int) -> bool:
    """A signer's preference, or a visitor's choice on their draft row touched after `stale`."""
    return bool(await db.scalar(_AUTO_CLEAN, (person, person, stale)))


def auto_clean_in(conn: Any, person: str, stale: int) -> bool:
    """`auto_clean` inside the caller's transaction."""
    row = conn.execute(_AUTO_CLEAN, (person, person, stale)).fetchone()
    return bool(row and row[0])


async def auto_clean_on(db: Database, person: str, now: int) -> None:
    """A signer's choice (a visitor's is bot.storage.drafts.choose)."""
    await db.execute(
        "INSERT INTO preferences (person, auto_clean, touched_at) VALUES (?, 1, ?)"
        " ON CONFLICT (person) DO UPDATE SET auto_clean = 1, touched_at = excluded.touched_at",
        (person, now),
    )


async def auto_clean_off(db: Database, person: str, now: int) -> int:
    """Off is the default, so it is not a preference to keep: a row holding no language goes
    (the rows deleted). Only bot.core.erasure calls this."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "DELETE FROM preferences WHERE person = ? AND language IS NULL", (person,)
        )
        await conn.execute(
            "UPDATE preferences SET auto_clean = 0, touched_at = ? WHERE person = ?", (now, person)
        )
    return int(cur.rowcount)
