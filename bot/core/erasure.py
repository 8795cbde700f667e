"""Every path that deletes or overwrites personal data, in one place.

An erasure is real only once the old copies have left SQLite's journal too, so each path here
ends with the journal purge and answers honestly whether it got that far (a reader in the
way: the periodic clean-up finishes it within ten minutes). Handlers, jobs and the broadcast
runner erase only through these functions; storage's deleting statements are called from
nowhere else (tests/ enumerate the paths).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.services import Services
from bot.domain.broadcasts import DeliveryStatus
from bot.storage import broadcasts as broadcast_store


@dataclass(frozen=True)
class Erased:
    """What an erasure did: rows erased, and whether the journal no longer holds them."""

    rows: int
    complete: bool


async def _finish(svc: Services, rows: int) -> Erased:
    """The last step of every erasure: the journal purge."""
    return Erased(rows, await svc.db.purge_wal())


# -- supporters: withdraw, edit, /stop, "Stop updates", a block, cancel, expiry ------------


# -- organisers: remove, block, retention, anonymisation, a group's removal ----------------


# -- broadcasts: delivery rows once a broadcast has ended ----------------------------------


async def finish_broadcast(svc: Services, broadcast_id: int) -> Erased:
    """A broadcast sent to everyone: its delivery rows (raw chat ids) and its admin's id go;
    the counts stay."""
    return await _finish(svc, await broadcast_store.finish(svc.db, broadcast_id, svc.now()))


async def recipient_blocked(svc: Services, broadcast_id: int, chat_id: int) -> Erased:
    """A recipient who blocked the bot (or whose account is gone): the delivery is recorded
    as failed, and their raw id goes from every subscription and every pending delivery."""
    rows = await broadcast_store.mark_delivery(
        svc.db, broadcast_id, chat_id, DeliveryStatus.FAILED, blocked=True
    )
    return await _finish(svc, rows)
