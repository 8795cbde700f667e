"""Requests waiting for a second admin (bot.domain.approvals): no Telegram id, no name.

Every change of status is a compare-and-set along `bot.domain.approvals.MOVES`, so two presses
(a double tap, a redelivered update) decide a request once; a decided request is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.domain.approvals import Kind, Request, Status, moving_to
from bot.storage.engine import Database, Row

_COLUMNS = "id, kind, campaign, requester, level, rows, params, status, created_at, expires_at"


def _request(row: Row) -> Request:
    params = {str(k): str(v) for k, v in json.loads(row[6]).items()}
    return Request(
        int(row[0]),
        Kind(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        int(row[5]),
        params,
        Status(row[7]),
        int(row[8]),
        int(row[9]),
    )


def _in(statuses: tuple[Status, ...]) -> tuple[str, list[Any]]:
    return f"status IN ({','.join('?' for _ in statuses)})", [s.value for s in statuses]


async def ask(
    db: Database,
    kind: Kind,
    campaign: str,
    requester: str,
    level: str,
    rows: int,
    params: Mapping[str, str],
    now: int,
    expires_at: int,
) -> tuple[Request, bool]:
    """The pending request for exactly this, made when there is none; True when it is new
    (the same request asked again is the one already waiting)."""
    encoded = json.dumps(dict(params), sort_keys=True, separators=(",", ":"))
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO approvals (kind, campaign, requester, level, rows, params, status,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                kind.value,
                campaign,
                requester,
                level,
                rows,
                encoded,
                Status.PENDING.value,
                now,
                expires_at,
            ),
        )
        new = cur.rowcount == 1
        cur = await conn.execute(
            f"SELECT {_COLUMNS} FROM approvals WHERE requester = ? AND kind = ? AND campaign = ?"
            " AND params = ? AND status = ?",
            (requester, kind.value, campaign, encoded, Status.PENDING.value),
        )
        row = await cur.fetchone()
    assert row is not None
    return _request(tuple(row)), new


async def get(db: Database, request_id: int) -> Request | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (request_id,))
    return _request(row) if row else None


async def move(db: Database, request_id: int, target: Status, now: int) -> bool:
    """The request to `target` if its status allows it; a pending request is approved or
    refused only before it expires. False when another press (or the expiry) came first."""
    where, params = _in(moving_to(target))
    if target is not Status.EXPIRED:
        where += " AND expires_at > ?"
        params.append(now)
    changed = await db.execute(
        f"UPDATE approvals SET status = ? WHERE id = ? AND {where}",
        (target.value, request_id, *params),
    )
    return changed == 1


async def delete(db: Database, request_id: int) -> None:
    """A decided request: the audit log keeps the trail, the row goes."""
    await db.execute("DELETE FROM approvals WHERE id = ?", (request_id,))


async def due(db: Database, now: int) -> list[Request]:
    """Pending requests whose window closed, and approved ones a crash left behind."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM approvals WHERE expires_at <= ? AND status IN (?, ?) ORDER BY id",
        (now, Status.PENDING.value, Status.APPROVED.value),
    )
    return [_request(r) for r in rows]
