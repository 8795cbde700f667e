"""Leases in a table: one holder per name until it expires (bot.core.leases says why)."""

from __future__ import annotations

from bot.storage.engine import Database

# Taken when free, expired or already ours; RETURNING says whether it is ours now.
_TAKE = (
    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
    " expires_at = excluded.expires_at"
    " WHERE leases.holder = excluded.holder OR leases.expires_at <= ? RETURNING holder"
)


async def take(db: Database, name: str, holder: str, now: int, seconds: int) -> bool:
    """The lease `name` for `holder` until now + seconds, unless another holds it still."""
    args = (name, holder, now + seconds, now)
    row = await db.atomic(lambda conn: conn.execute(_TAKE, args).fetchone())
    return row is not None and row[0] == holder


async def release(db: Database, holder: str) -> None:
    """Every lease of `holder` (a clean stop): another worker need not wait for expiry."""
    await db.execute("DELETE FROM leases WHERE holder = ?", (holder,))
