"""Which worker does what only one may do: a periodic job's run, a broadcast's sending.

Several workers on one PostgreSQL database coordinate only through it, in ways that work
through a transaction-mode pooler: a row per lease with its holder and expiry, taken and
renewed in one statement. A worker that dies stops renewing, and another takes over once the
lease expired. With one worker (and on SQLite) every lease is simply its own.
"""

from __future__ import annotations

from bot.core.services import Services
from bot.storage import leases as lease_store


async def take(svc: Services, name: str, seconds: int) -> bool:
    """Whether this worker holds `name` for the next `seconds` (taken or renewed)."""
    return await lease_store.take(svc.db, name, svc.worker, int(svc.now()), seconds)


async def release_all(svc: Services) -> None:
    await lease_store.release(svc.db, svc.worker)
