"""Every periodic job, scheduled here and nowhere else (as each bot comes up, bot.telegram.fleet).

The work itself lives below (core/ for housekeeping, ops/ for backups); a job only hands it
the runtime objects and records what the operator should see in /metrics. The process's jobs
run once per process whatever the number of bots (on the first bot that serves: `Fleet.runs_jobs`)
and once across workers (`once`, a lease); only `forget` and `keep_alive` are each bot's own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import BACKUP_JOB_EVERY
from bot.core import erasure, housekeeping, leases, publish
from bot.core.retention import apply_retention
from bot.ops import backups
from bot.ops import publish as publisher
from bot.telegram.broadcast import RESUME_EVERY
from bot.telegram.context import BotApp, BotContext, BotRuntime
from bot.telegram.handlers import approvals
from bot.telegram.health import keep_alive

if TYPE_CHECKING:
    from bot.telegram.fleet import Fleet

log = logging.getLogger(__name__)
Job = Callable[[BotContext], Coroutine[Any, Any, None]]


async def expire_drafts(context: BotContext) -> None:
    """Drafts and conversations' trails past their time; the journal purge that comes with it
    finishes any erasure that found a reader in the way."""
    expired = await erasure.expire(context.svc)
    if expired.rows:
        log.info("erased %d expired drafts and trails", expired.rows)


async def forget(context: BotContext) -> None:
    """Per-person state in memory past its minutes (bot.domain.expiring); reads drop stale
    entries too, this catches the people who never came back. Each bot's own."""
    context.svc.memory.sweep()
    await context.runtime.gatekeeper.shared.forget()  # the database's flood buckets too
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


async def run_publish(runtime: BotRuntime) -> bool:
    """One run of the publication: the site swapped in, then PUBLISH_COMMAND; its outcome
    goes to /metrics and /healthz, a failure to one log line without anything secret."""
    svc = runtime.services
    settings = svc.settings
    assert settings.publish_dir is not None
    failure: str | None = None
    try:
        files = await publish.site_files(svc)
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
    await run_publish(context.runtime)


async def resume_broadcasts(context: BotContext) -> None:
    """A broadcast whose worker died (its lease expired) is taken over here."""
    await context.runtime.broadcaster.resume()


def once(job: Job, interval: int) -> Job:
    """`job` once per process (on the bot the fleet picks), and on one worker of several:
    whichever holds its lease, renewed at every run and kept for two periods, so a worker
    that died hands it on within them."""

    async def run(context: BotContext) -> None:
        if not context.runtime.fleet.runs_jobs(context.application):
            return
        if await leases.take(context.svc, f"job:{job.__name__}", 2 * interval + 60):
            await job(context)

    run.__name__ = job.__name__
    return run


def prepare(fleet: Fleet) -> None:
    """What /metrics and /healthz know before the first run: once per process."""
    settings = fleet.services.settings
    if settings.backup_dir is not None:
        newest = backups.newest_backup(settings.backup_dir)
        if newest is not None:
            fleet.metrics.backup_found(newest)
    if settings.publish_dir is not None:
        fleet.metrics.publish_since = fleet.services.now()


def schedule(app: BotApp) -> None:
    """Each bot's queue carries every job; those on the database run once (`once`), forget
    and keep_alive are each bot's own."""
    queue = app.job_queue
    if queue is None:
        return
    for job, interval, first in (
        (expire_drafts, 600, 60),
        (expire_requests, 60, 30),
        (recount, 3600, 300),
        (retention, 6 * 3600, 120),
        (resume_broadcasts, RESUME_EVERY, RESUME_EVERY),
    ):
        queue.run_repeating(once(job, interval), interval=interval, first=first, name=job.__name__)
    queue.run_repeating(forget, interval=60, first=60, name="forget")
    queue.run_repeating(keep_alive, interval=60, first=60, name="keep_alive")
    settings = app.runtime.services.settings
    if settings.backup_dir is not None:
        queue.run_repeating(
            once(backup, BACKUP_JOB_EVERY), interval=BACKUP_JOB_EVERY, first=30, name="backup"
        )
    if settings.publish_dir is not None:
        every = settings.publish_every_minutes * 60
        queue.run_repeating(once(publish_site, every), interval=every, first=20, name="publish")
