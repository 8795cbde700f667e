"""Periodic checks that keep the stored numbers honest."""

from __future__ import annotations

import logging

from bot.core.services import Services
from bot.storage import signatures as signature_store

log = logging.getLogger(__name__)


async def recount(svc: Services) -> list[tuple[str, int, int]]:
    """Sets every campaign's counter to its rows' count, should they ever drift apart;
    returns (campaign, stored, actual) where they did."""
    fixed = await signature_store.recount(svc.db)
    for campaign, stored, actual in fixed:
        log.warning("counter drift fixed for %s: %d -> %d", campaign, stored, actual)
    return fixed
