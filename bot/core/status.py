"""What the operations endpoint (/healthz, /metrics) asks of the data, beside the broadcasts'
progress (bot.core.broadcasts.sending_progress)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.services import Services
from bot.domain.broadcasts import DeliveryStatus
from bot.storage import broadcasts as broadcast_store
from bot.storage import state as state_store


async def ping(svc: Services) -> None:
    """Returns once the database answered a trivial read; raises what the database raised."""
    await state_store.ping(svc.db)


@dataclass(frozen=True)
class Gauges:
    """The figures /metrics mirrors from the database, read once per scrape."""

    counters: list[tuple[str, int, int]]  # campaign, signatures, withdrawals
    broadcasts_sending: int
    deliveries: dict[DeliveryStatus, int]


async def gauges(svc: Services) -> Gauges:
    sending, deliveries = await broadcast_store.sending_totals(svc.db)
    return Gauges(await state_store.counters(svc.db), sending, deliveries)
