"""Key-value facts the bot keeps about itself (never about people), and the liveness read."""

from __future__ import annotations

from bot.storage.engine import Database
from bot.storage.signatures import COUNTS


async def get(db: Database, key: str) -> str | None:
    value = await db.scalar("SELECT value FROM bot_state WHERE key = ?", (key,))
    return str(value) if value is not None else None


async def put(db: Database, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def ping(db: Database) -> None:
    """One trivial read: raises when the database does not answer."""
    await db.scalar("SELECT 1")


async def counters(db: Database) -> list[tuple[str, int, int]]:
    """Each campaign's stored signature and withdrawal counters."""
    rows = await db.fetchall(
        "SELECT n.campaign, n.signatures, COALESCE(c.withdrawals, 0)"
        f" FROM {COUNTS} AS n LEFT JOIN counters c ON c.campaign = n.campaign"
    )
    return [(str(c), int(s), int(w)) for c, s, w in rows]
