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
