"""The official bots and their roles (bot.domain.bots), and the adoption of rows made before
reserve bots existed."""

from __future__ import annotations

from bot.domain.bots import BEFORE_RESERVES, OfficialBot, Role
from bot.storage.engine import Database

# Every table whose rows name the bot whose chat they belong to.
_PER_CHAT = ("drafts", "trail", "subscriptions", "deliveries", "broadcasts")


async def known(db: Database) -> list[OfficialBot]:
    rows = await db.fetchall("SELECT id, username, role FROM bots ORDER BY id")
    return [OfficialBot(int(r[0]), str(r[1]), Role(r[2])) for r in rows]


async def seen(db: Database, bot: int, username: str, role: Role, now: int) -> None:
    """A bot this process runs: its username as getMe says it now; `role` only if it is new."""
    await db.execute(
        "INSERT INTO bots (id, username, role, seen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
        " seen_at = excluded.seen_at",
        (bot, username, role.value, now),
    )


async def set_role(db: Database, bot: int, role: Role) -> bool:
    """A new role; a new primary makes the former one active, in the same transaction.
    False when the bot is unknown."""
    async with db.transaction() as conn:
        if role is Role.PRIMARY:
            await conn.execute(
                "UPDATE bots SET role = ? WHERE role = ? AND id != ?",
                (Role.ACTIVE.value, Role.PRIMARY.value, bot),
            )
        cur = await conn.execute("UPDATE bots SET role = ? WHERE id = ?", (role.value, bot))
        return bool(cur.rowcount)


async def adopt(db: Database, primary: int) -> int:
    """Rows from before reserve bots become the primary's (done once: none are made later).
    Returns the rows adopted."""
    adopted = 0
    async with db.transaction() as conn:
        for table in _PER_CHAT:
            cur = await conn.execute(
                f"UPDATE {table} SET bot = ? WHERE bot = ?", (primary, BEFORE_RESERVES)
            )
            adopted += int(cur.rowcount)
    return adopted
