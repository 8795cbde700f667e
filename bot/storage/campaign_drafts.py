"""Campaigns being written from Telegram and language texts waiting for an admin (migration
0020). Every change is a compare-and-set on `revision`: a double tap moves a draft once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.engine import Database


@dataclass(frozen=True)
class Row:
    id: int
    kind: str  # "create", "text" or "switch"
    organiser: str
    campaign: str
    step: str
    revision: int
    data: dict[str, Any]


_COLUMNS = "id, kind, organiser, campaign, step, revision, data"


def _row(r: Any) -> Row:
    return Row(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), int(r[5]), json.loads(r[6]))


async def creating(db: Database, organiser: str) -> Row | None:
    """The campaign this admin is creating, if any."""
    r = await db.fetchone(
        f"SELECT {_COLUMNS} FROM campaign_drafts WHERE kind = 'create' AND organiser = ?",
        (organiser,),
    )
    return None if r is None else _row(r)


async def get(db: Database, id: int) -> Row | None:
    r = await db.fetchone(f"SELECT {_COLUMNS} FROM campaign_drafts WHERE id = ?", (id,))
    return None if r is None else _row(r)


async def add(
    db: Database,
    kind: str,
    organiser: str,
    step: str,
    data: dict[str, Any],
    now: int,
    campaign: str = "",
) -> int:
    """A new draft (a second /newcampaign of the same admin keeps the first: the unique
    index); its id."""
    await db.execute(
        "INSERT INTO campaign_drafts (kind, organiser, campaign, step, data, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (kind, organiser, campaign, step, json.dumps(data, ensure_ascii=False), now),
    )
    if kind == "create":
        found = await creating(db, organiser)
        assert found is not None
        return found.id
    return int(
        await db.scalar("SELECT MAX(id) FROM campaign_drafts WHERE organiser = ?", (organiser,))
    )


async def write_if(
    db: Database, id: int, revision: int, step: str, data: dict[str, Any], now: int
) -> bool:
    """The draft moved, if it is still at `revision` (else another tap got there first)."""
    changed = await db.execute(
        "UPDATE campaign_drafts SET step = ?, data = ?, revision = revision + 1, updated_at = ?"
        " WHERE id = ? AND revision = ?",
        (step, json.dumps(data, ensure_ascii=False), now, id, revision),
    )
    return changed == 1


async def take(db: Database, id: int, revision: int) -> bool:
    """Deletes the draft if it is still at `revision`: it was published, refused or abandoned."""
    return (
        await db.execute(
            "DELETE FROM campaign_drafts WHERE id = ? AND revision = ?", (id, revision)
        )
        == 1
    )


async def waiting_texts(db: Database) -> list[Row]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM campaign_drafts WHERE kind = 'text' ORDER BY id"
    )
    return [_row(r) for r in rows]
