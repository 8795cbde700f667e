"""Retention: some time after a campaign closes, its signatures are deleted; counts stay.

The date a campaign closed comes from `closed_on` in campaign.toml, else from the first time
this bot saw it closed (remembered in bot_state), so the clock starts even if the organiser
forgot the date. It is driven by what the database holds, not by what is loaded: a campaign
whose folder was deleted counts as closed, or deleting a folder would keep its names forever.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from bot.core import erasure
from bot.core.choices import preference_days
from bot.core.services import Services
from bot.storage import state as state_store

log = logging.getLogger(__name__)
DAY = 86_400


async def closed_since(svc: Services, slug: str) -> int | None:
    campaign = svc.campaign(slug)
    if campaign is not None and campaign.is_open:
        return None
    if campaign is not None and campaign.closed_on is not None:
        return int(datetime.combine(campaign.closed_on, time(), UTC).timestamp())
    key = f"closed:{slug}"
    seen = await state_store.get(svc.db, key)
    if seen is None:
        await state_store.put(svc.db, key, str(svc.now()))
        return svc.now()
    return int(seen)


async def apply_retention(svc: Services) -> list[tuple[str, int, int]]:
    """Anonymises every closed campaign past RETENTION_DAYS and erases preferences past
    PREFERENCES_DAYS (or RETENTION_DAYS, if shorter); returns what it did to campaigns."""
    days = svc.settings.retention_days
    done = await _anonymise_closed(svc, days) if days else []
    # Preferences name no campaign, but say that someone used the bot: untouched ones go,
    # whether retention is on or not.
    keep = preference_days(svc.settings)
    expired = await erasure.expire_preferences(svc, svc.now() - keep * DAY)
    if expired.rows:
        log.info("retention: erased %d preferences untouched for %d days", expired.rows, keep)
    return done


async def _anonymise_closed(svc: Services, days: int) -> list[tuple[str, int, int]]:
    done = []
    for slug in await svc.campaigns_held():
        since = await closed_since(svc, slug)
        if since is None or svc.now() < since + days * DAY:
            continue
        result = await erasure.anonymise(svc, slug)
        if result.rows or result.subscriptions:
            log.info(
                "retention: campaign %s closed %d days ago: deleted %d signatures, "
                "erased %d subscriptions",
                slug,
                (svc.now() - since) // DAY,
                result.rows,
                result.subscriptions,
            )
        done.append((slug, result.rows, result.subscriptions))
    return done
