"""Which official bots the campaign set has, their roles, and the first start's adoption of
what the single bot before them held (bot.domain.bots)."""

from __future__ import annotations

import logging

from bot.core.services import Services
from bot.domain.bots import OfficialBot, Role, first_role
from bot.storage import bots as bot_store

log = logging.getLogger(__name__)


async def settle(svc: Services, started: list[tuple[int, str]]) -> list[OfficialBot]:
    """Records the bots this process serves, in `BOT_TOKENS` order (getMe's id and username):
    one the database has not seen becomes the primary when there is none, else active. Rows
    from before reserve bots are then adopted by the primary. Returns every known bot."""
    for bot, username in started:
        role = first_role(await bot_store.known(svc.db))
        await bot_store.seen(svc.db, bot, username, role, svc.now())
    every = await bot_store.known(svc.db)
    primary = next((b for b in every if b.role is Role.PRIMARY), None)
    if primary is not None:
        adopted = await bot_store.adopt(svc.db, primary.id)
        if adopted:
            log.info("%d rows from before reserve bots now belong to the primary bot", adopted)
    return every
