"""Periodic housekeeping: stale drafts erased, counters checked against the rows."""

from __future__ import annotations

import logging

from bot.core.retention import apply_retention
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage import trail as trail_store
from bot.telegram.context import BotApp, BotContext

log = logging.getLogger(__name__)


async def expire_drafts(context: BotContext) -> None:
    svc = context.svc
    removed = await draft_store.expire(svc.db, svc.now(), svc.settings.draft_ttl_hours * 3600)
    if removed:
        log.info("erased %d expired drafts", removed)
    # Where conversations began, once Telegram no longer lets the bot delete them.
    await trail_store.expire(
        svc.db, svc.now(), trail_store.window(svc.settings.draft_ttl_hours * 3600)
    )
    # Old page images of erased drafts and signatures go too; an erasure that found a reader
    # in the way finishes here.
    await svc.db.purge_wal()


async def recount(context: BotContext) -> None:
    for campaign, stored, actual in await signature_store.recount(context.svc.db):
        log.warning("counter drift fixed for %s: %d -> %d", campaign, stored, actual)


async def retention(context: BotContext) -> None:
    await apply_retention(context.svc)


def schedule(app: BotApp) -> None:
    queue = app.job_queue
    if queue is None:
        return
    queue.run_repeating(expire_drafts, interval=600, first=60, name="expire_drafts")
    queue.run_repeating(recount, interval=3600, first=300, name="recount")
    queue.run_repeating(retention, interval=6 * 3600, first=120, name="retention")
