"""The signing flow's state: one draft per signer, erased when confirmed, cancelled or stale."""

from __future__ import annotations

from typing import Any

from bot.domain.signatures import Draft
from bot.storage.db import Database

_COLUMNS = (
    "person, campaign, step, name, role, organisation, public, editing, message_id,"
    " last_update, updated_at, source"
)


def _draft(row: tuple[Any, ...]) -> Draft:
    return Draft(
        person=row[0],
        campaign=row[1],
        step=row[2],
        name=row[3],
        role=row[4],
        organisation=row[5],
        public=None if row[6] is None else bool(row[6]),
        editing=bool(row[7]),
        message_id=row[8],
        last_update=row[9],
        updated_at=row[10],
        source=row[11],
    )


async def get(db: Database, person: str, now: int, ttl: int) -> Draft | None:
    """The person's live draft; a stale one counts as absent (the expiry job erases it)."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM drafts WHERE person = ? AND updated_at > ?", (person, now - ttl)
    )
    return _draft(row) if row else None


async def save(db: Database, draft: Draft) -> None:
    await db.execute(
        f"INSERT OR REPLACE INTO drafts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.person,
            draft.campaign,
            draft.step,
            draft.name,
            draft.role,
            draft.organisation,
            None if draft.public is None else int(draft.public),
            int(draft.editing),
            draft.message_id,
            draft.last_update,
            draft.updated_at,
            draft.source,
        ),
    )


async def advance(db: Database, expected_step: str, draft: Draft) -> bool:
    """Writes `draft` only if the stored one is still at `expected_step` (a stale tap is a no-op)."""
    params = (
        draft.step,
        draft.name,
        draft.role,
        draft.organisation,
        None if draft.public is None else int(draft.public),
        draft.message_id,
        draft.last_update,
        draft.updated_at,
        draft.person,
        draft.campaign,
        expected_step,
    )
    changed = await db.execute(
        "UPDATE drafts SET step = ?, name = ?, role = ?, organisation = ?, public = ?,"
        " message_id = ?, last_update = ?, updated_at = ?"
        " WHERE person = ? AND campaign = ? AND step = ?",
        params,
    )
    return changed == 1


async def delete(db: Database, person: str) -> bool:
    return await db.execute("DELETE FROM drafts WHERE person = ?", (person,)) > 0


async def expire(db: Database, now: int, ttl: int) -> int:
    return await db.execute("DELETE FROM drafts WHERE updated_at <= ?", (now - ttl,))
