"""Per-signer preferences, keyed by the pseudonymous signer id."""

from __future__ import annotations

from bot.storage.db import Database


async def language(db: Database, signer: str) -> str | None:
    value = await db.scalar("SELECT language FROM signers WHERE signer = ?", (signer,))
    return str(value) if value else None


async def set_language(db: Database, signer: str, language: str) -> None:
    await db.execute(
        "INSERT INTO signers (signer, language) VALUES (?, ?)"
        " ON CONFLICT (signer) DO UPDATE SET language = excluded.language",
        (signer, language),
    )


async def flags(db: Database, signer: str) -> tuple[bool, bool]:
    """(blocked by a moderator, has seen the privacy notice), in one read."""
    row = await db.fetchone("SELECT blocked, privacy_seen FROM signers WHERE signer = ?", (signer,))
    return (bool(row[0]), bool(row[1])) if row else (False, False)


async def mark_privacy_seen(db: Database, signer: str) -> None:
    await db.execute(
        "INSERT INTO signers (signer, privacy_seen) VALUES (?, 1)"
        " ON CONFLICT (signer) DO UPDATE SET privacy_seen = 1",
        (signer,),
    )


async def set_blocked(db: Database, signer: str, blocked: bool) -> None:
    await db.execute(
        "INSERT INTO signers (signer, blocked) VALUES (?, ?)"
        " ON CONFLICT (signer) DO UPDATE SET blocked = excluded.blocked",
        (signer, int(blocked)),
    )


async def remember_source(db: Database, signer: str, campaign: str, source: str | None) -> None:
    """Keeps the deep link's campaign and source until the signer confirms."""
    await db.execute(
        "INSERT INTO signers (signer, last_campaign, last_source) VALUES (?, ?, ?)"
        " ON CONFLICT (signer) DO UPDATE SET last_campaign = excluded.last_campaign,"
        " last_source = excluded.last_source",
        (signer, campaign, source),
    )


async def last_campaign(db: Database, signer: str) -> str | None:
    value = await db.scalar("SELECT last_campaign FROM signers WHERE signer = ?", (signer,))
    return str(value) if value else None


async def source_for(db: Database, signer: str, campaign: str) -> str | None:
    row = await db.fetchone(
        "SELECT last_source FROM signers WHERE signer = ? AND last_campaign = ?",
        (signer, campaign),
    )
    return str(row[0]) if row and row[0] else None


async def subscribe(db: Database, campaign: str, signer: str, chat_id: int, on: bool) -> None:
    """Opt-in stores the raw chat id (needed to message them); opt-out erases it."""
    if on:
        await db.execute(
            "INSERT INTO subscriptions (campaign, signer, chat_id, active) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (campaign, signer) DO UPDATE SET chat_id = excluded.chat_id, active = 1",
            (campaign, signer, chat_id),
        )
    else:
        await db.execute(
            "DELETE FROM subscriptions WHERE campaign = ? AND signer = ?", (campaign, signer)
        )


async def is_subscribed(db: Database, campaign: str, signer: str) -> bool:
    return (
        await db.fetchone(
            "SELECT 1 FROM subscriptions WHERE campaign = ? AND signer = ?", (campaign, signer)
        )
        is not None
    )


async def unsubscribe_all(db: Database, signer: str) -> int:
    return await db.execute("DELETE FROM subscriptions WHERE signer = ?", (signer,))
