"""Every periodic job of one bot, scheduled here and nowhere else (from post_init).

The work itself lives below (core/ for housekeeping, ops/ for backups); a job only hands it
the runtime objects and records what the operator should see in /metrics.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.config import BACKUP_JOB_EVERY
from bot.core import erasure, housekeeping, publish
from bot.core.retention import apply_retention
from bot.ops import backups
from bot.ops import publish as publisher
from bot.telegram.context import BotApp, BotContext, BotRuntime
from bot.telegram.handlers import approvals
from bot.telegram.health import keep_alive

log = logging.getLogger(__name__)


async def expire_drafts(context: BotContext) -> None:
    """Drafts and conversations' trails past their time; the journal purge that comes with it
    finishes any erasure that found a reader in the way."""
    expired = await erasure.expire(context.svc)
    if expired.rows:
        log.info("erased %d expired drafts and trails", expired.rows)


async def forget(context: BotContext) -> None:
    """Per-person state in memory past its minutes (bot.domain.expiring); reads drop stale
    entries too, this catches the people who never came back."""
    context.svc.memory.sweep()
    context.application.forget_idle()  # type: ignore[attr-defined]


async def expire_requests(context: BotContext) -> None:
    """Four-eyes requests nobody decided in time: every admin is told, the rows go."""
    await approvals.expire(context)


async def recount(context: BotContext) -> None:
    await housekeeping.recount(context.svc)


async def retention(context: BotContext) -> None:
    await apply_retention(context.svc)


async def run_backup(runtime: BotRuntime) -> Path | None:
    """One run of the scheduled backup; its outcome goes to /metrics and /healthz."""
    svc = runtime.services
    now = svc.now()
    outcome = await backups.run_scheduled(svc.db, svc.settings, now)
    if outcome.failed:
        runtime.metrics.backup_done(False)
    elif outcome.path is not None:
        runtime.metrics.backup_done(True, now)
    return outcome.path


async def backup(context: BotContext) -> None:
    await run_backup(context.runtime)


async def run_publish(runtime: BotRuntime, username: str) -> bool:
    """One run of the publication: the site swapped in, then PUBLISH_COMMAND; its outcome
    goes to /metrics and /healthz, a failure to one log line without anything secret."""
    svc = runtime.services
    settings = svc.settings
    assert settings.publish_dir is not None
    failure: str | None = None
    try:
        files = await publish.site_files(svc, settings.publish_bots or (username,))
        await asyncio.to_thread(publisher.write_site, settings.publish_dir, files)
        if settings.publish_command:
            failure = await publisher.run_command(
                settings.publish_command, settings.publish_dir, settings.publish_timeout_seconds
            )
            if failure:
                failure = f"PUBLISH_COMMAND failed: {failure}"
    except publisher.PublishError as exc:
        failure = str(exc)
    except Exception as exc:  # the next run tries again; the previous site stays
        failure = f"{exc.__class__.__name__}"
        log.debug("publishing failed", exc_info=exc)
    if failure:
        log.warning("publishing the site failed: %s", failure)
    runtime.metrics.published(failure is None, svc.now())
    return failure is None


async def publish_site(context: BotContext) -> None:
    await run_publish(context.runtime, context.bot.username)


def schedule(app: BotApp) -> None:
    queue = app.job_queue
    if queue is None:
        return
    queue.run_repeating(expire_drafts, interval=600, first=60, name="expire_drafts")
    queue.run_repeating(forget, interval=60, first=60, name="forget")
    queue.run_repeating(expire_requests, interval=60, first=30, name="expire_requests")
    queue.run_repeating(recount, interval=3600, first=300, name="recount")
    queue.run_repeating(retention, interval=6 * 3600, first=120, name="retention")
    queue.run_repeating(keep_alive, interval=60, first=60, name="keep_alive")
    folder = app.runtime.services.settings.backup_dir
    if folder is not None:
        newest = backups.newest_backup(folder)
        if newest is not None:
            app.runtime.metrics.backup_found(newest)
        queue.run_repeating(backup, interval=BACKUP_JOB_EVERY, first=30, name="backup")
    settings = app.runtime.services.settings
    if settings.publish_dir is not None:
        app.runtime.metrics.publish_since = app.runtime.services.now()
        every = settings.publish_every_minutes * 60
        queue.run_repeating(publish_site, interval=every, first=20, name="publish")
