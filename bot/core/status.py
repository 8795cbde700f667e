"""What the operations endpoint (/healthz) asks of the data, beside the broadcasts' progress
(bot.core.broadcasts.sending_progress)."""

from __future__ import annotations

from bot.core.services import Services
from bot.storage import state as state_store


async def ping(svc: Services) -> None:
    """Returns once the database answered a trivial read; raises what the database raised."""
    await state_store.ping(svc.db)
