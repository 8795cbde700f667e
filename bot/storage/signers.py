"""What the bot keeps about a person beyond a draft: their own choices, a block, subscriptions.

Each is keyed by a pseudonym of its own purpose (bot.domain.signatures.Pseudonyms). None of
them says that a person opened a campaign or saw a notice. A subscription's chat id, kept by
consent and erased on every opt-out path, is stored only sealed (fresh nonce each time), so
nothing is found by it: a person's subscriptions are found by their pseudonyms, one per campaign
(`Subscriptions`: [(campaign, subscriber)]).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.storage.engine import Database

Subscriptions = Sequence[tuple[str, str]]  # (campaign, subscriber pseudonym) of one person


_LANGUAGE = (
    "SELECT language FROM (SELECT language, 0 AS rank FROM preferences WHERE person = ?"
    " UNION ALL SELECT language, 1 FROM drafts WHERE person = ? AND updated_at > ?) AS known"
    " WHERE language IS NOT NULL ORDER BY rank LIMIT 1"
)


async def language(db: Database, person: str, stale: int) -> str | None:
    """The language the person chose: a signer's preference, else a visitor's on their draft
    row touched after `stale` (bot.storage.drafts)."""
    value = await db.scalar(_LANGUAGE, (person, person, stale))
    return str(value) if value else None


def language_in(conn: Any, person: str, stale: int) -> str | None:
    """`language` inside the caller's transaction."""
    row = conn.execute(_LANGUAGE, (person, person, stale)).fetchone()
    return str(row[0]) if row and row[0] else None


async def set_language(
    db: Database, person: str, theirs: Subscriptions, language: str, now: int
) -> None:
    """A signer's choice, and the language of their subscriptions (broadcasts use it)."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO preferences (person, language, touched_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person) DO UPDATE SET language = excluded.language,"
            " touched_at = excluded.touched_at",
            (person, language, now),
        )
        await conn.executemany(
            "UPDATE subscriptions SET language = ? WHERE campaign = ? AND signer = ?",
            [(language, campaign, subscriber) for campaign, subscriber in theirs],
        )


async def forget_preferences(db: Database, person: str) -> int:
    return await db.execute("DELETE FROM preferences WHERE person = ?", (person,))


async def expire_preferences(db: Database, before: int) -> int:
    """Retention: preferences untouched since `before` go (they say someone used the bot)."""
    return await db.execute("DELETE FROM preferences WHERE touched_at < ?", (before,))


_BLOCKED = "SELECT 1 FROM blocks WHERE block = ?"


async def is_blocked(db: Database, block: str) -> bool:
    return await db.fetchone(_BLOCKED, (block,)) is not None


def blocked(conn: Any, block: str) -> bool:
    """`is_blocked` inside the caller's transaction."""
    return conn.execute(_BLOCKED, (block,)).fetchone() is not None


async def block(db: Database, block: str, now: int) -> None:
    """An organiser's /block: the person's block id (never their Telegram id) is kept."""
    await db.execute(
        "INSERT INTO blocks (block, at) VALUES (?, ?) ON CONFLICT (block) DO NOTHING",
        (block, now),
    )


async def subscribe(
    db: Database, campaign: str, signer: str, chat: str, bot: int, language: str
) -> None:
    """Opt-in: the one moment the chat id is stored, sealed (`chat`; needed to message them),
    with the bot whose chat it is (its getMe id): the delivery route, the latest opt-in's."""
    await db.execute(
        "INSERT INTO subscriptions (campaign, signer, chat, bot, active, language)"
        " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (campaign, signer) DO UPDATE SET"
        " chat = excluded.chat, chat_id = NULL, bot = excluded.bot, active = 1,"
        " language = excluded.language",
        (campaign, signer, chat, bot, language),
    )


async def unsubscribe(db: Database, theirs: Subscriptions) -> int:
    """Opt-out ("Stop updates", under a broadcast or after signing; or every campaign's, with
    the chat's clean-up) erases the chat id, pending deliveries of those campaigns' broadcasts
    included. Returns the subscriptions deleted."""
    async with db.transaction() as conn:
        return await delete_subscriptions(conn, theirs)


async def any_subscribed(db: Database, theirs: Subscriptions) -> bool:
    """Whether any of these (campaign, subscriber) pairs is a subscription."""
    for campaign, signer in theirs:
        if await is_subscribed(db, campaign, signer):
            return True
    return False


async def is_subscribed(db: Database, campaign: str, signer: str) -> bool:
    return (
        await db.fetchone(
            "SELECT 1 FROM subscriptions WHERE campaign = ? AND signer = ?", (campaign, signer)
        )
        is not None
    )


async def forget_chat(db: Database, theirs: Subscriptions, person: str, bot: int | None) -> int:
    """The person blocked a bot: `theirs` with their pending deliveries (so every copy of the
    chat id) go, and the draft and trail of the chat with `bot`; with `bot` None (no other
    official bot) every draft, trail and preference of the person."""
    async with db.transaction() as conn:
        removed = await delete_subscriptions(conn, theirs)
        if bot is None:
            await conn.execute("DELETE FROM preferences WHERE person = ?", (person,))
            await conn.execute("DELETE FROM drafts WHERE person = ?", (person,))
            await conn.execute("DELETE FROM trail WHERE person = ?", (person,))
        else:
            chat = (person, bot)
            await conn.execute("DELETE FROM drafts WHERE person = ? AND bot = ?", chat)
            await conn.execute("DELETE FROM trail WHERE person = ? AND bot = ?", chat)
    return int(removed)


async def routed_through(db: Database, theirs: Subscriptions, bot: int) -> list[tuple[str, str]]:
    """Those of `theirs` delivered through `bot` (the bot the person subscribed with)."""
    found = []
    for campaign, signer in theirs:
        row = await db.fetchone(
            "SELECT 1 FROM subscriptions WHERE campaign = ? AND signer = ? AND bot = ?",
            (campaign, signer, bot),
        )
        if row is not None:
            found.append((campaign, signer))
    return found


async def delete_subscriptions(conn: Any, theirs: Subscriptions) -> int:
    """Inside a transaction: these subscriptions and their deliveries (each holds the sealed
    chat id; the broadcast keeps the counts). Returns the subscriptions deleted."""
    await conn.executemany(
        "DELETE FROM deliveries WHERE subscriber = ?"
        " AND broadcast IN (SELECT id FROM broadcasts WHERE campaign = ?)",
        [(subscriber, campaign) for campaign, subscriber in theirs],
    )
    removed = 0
    for campaign, subscriber in theirs:
        cur = await conn.execute(
            "DELETE FROM subscriptions WHERE campaign = ? AND signer = ?", (campaign, subscriber)
        )
        removed += cur.rowcount
    return removed
