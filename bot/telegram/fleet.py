"""The process and its bots: shared resources opened once, each bot brought up, served and
stopped by us, signals handled once (reserve bots, README "Reserve bots").

python-telegram-bot calls post_init and friends only from run_polling and run_webhook, which
run one bot. With several bots the process owns the lifecycle instead: the database, the
signer key, the campaigns, the metrics, the health endpoint, the periodic jobs and the
broadcast runner are the process's, opened once; each bot's Application is initialised
(getMe), started and stopped here. A bot Telegram refuses (401), cannot reach or that stops
answering is reported — one log line, its metric, /healthz — while the others keep serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.core import bots, catalogue, leases, review_default, upgrade
from bot.storage.keys import check_signer_key
from bot.telegram import health, jobs, menus, webhooks
from bot.telegram.broadcast import Broadcaster
from bot.telegram.links import State

if TYPE_CHECKING:
    from bot.core.services import Services
    from bot.telegram.context import BotApp
    from bot.telegram.health import OpsServer
    from bot.telegram.links import BotLink
    from bot.telegram.metrics import Metrics

log = logging.getLogger(__name__)
FIRST_WAIT, LONGEST_WAIT = 1.0, 60.0  # seconds between tries to reach Telegram at start


class Fleet:
    """Every bot of the process over its one shared part (`services`)."""

    def __init__(self, services: Services, metrics: Metrics) -> None:
        self.services = services
        self.metrics = metrics
        self.apps: list[BotApp] = []  # in BOT_TOKENS order
        self.broadcaster = Broadcaster(self)
        self.ops_server: OpsServer | None = None
        self.upgrade: asyncio.Task[int] | None = None  # bot.core.upgrade, while it runs
        self.stopping = asyncio.Event()
        self._serve = False
        self._webhooks: webhooks.Listener | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, app: BotApp) -> None:
        """A bot of the process (bot.telegram.app.build_fleet), in BOT_TOKENS order."""
        self.apps.append(app)
        app.runtime.link.on_rejected(self._rejected)

    # -- what the rest of the bot asks -----------------------------------------------------

    @property
    def links(self) -> list[BotLink]:
        return [app.runtime.link for app in self.apps]

    def serving(self) -> list[BotApp]:
        return [app for app in self.apps if app.runtime.link.state is State.SERVING]

    def app_of(self, bot_id: int) -> BotApp | None:
        """The bot that writes to chats with `bot_id`, while Telegram takes its token."""
        return next((a for a in self.serving() if a.runtime.link.id == bot_id), None)

    def runs_jobs(self, app: object) -> bool:
        """The process's periodic jobs run once, on the first bot that serves (its messages
        to organisers go through a bot that works), else on the first configured."""
        first = next(iter(self.serving()), self.apps[0])
        return app is first

    # -- the lifecycle ---------------------------------------------------------------------

    async def open(self, *, serve: bool = False) -> None:
        """The shared part, then every bot; returns once one serves. With `serve`, each bot
        also takes its updates (polling or the webhook), else tests feed them.

        Returns early when `stopping` is set first: a signal while Telegram could not be
        reached, or every token rejected (`all_rejected`)."""
        self._serve = serve
        await self._open_shared()
        jobs.prepare(self)
        answered = await asyncio.gather(*(self._try(app, 1, FIRST_WAIT) for app in self.apps))
        await self._joined([app for app, up in zip(self.apps, answered, strict=True) if up])
        for app, up in zip(self.apps, answered, strict=True):
            if not up and app.runtime.link.state is State.STARTING:
                self._spawn(self._keep_trying(app))
        if not self.serving():
            await self._wait_for_one()
        if self.stopping.is_set() and not self.serving():
            return
        await health.open_endpoint(self)
        await self.broadcaster.resume()  # broadcasts a restart interrupted

    async def _open_shared(self) -> None:
        svc = self.services
        await svc.db.open()
        settings = svc.settings
        svc.legacy = await check_signer_key(
            db=svc.db, key=settings.signer_key, cost=settings.pseudonym_cost
        )
        await catalogue.settle(svc, svc.campaigns.all())  # and the database's campaigns
        if await upgrade.needed(svc):  # rows made before this version move in the background
            self.upgrade = asyncio.create_task(upgrade.run(svc))
        await review_default.settle(svc)
        await review_default.fill_skeletons(svc)
        for warning in [*settings.warnings, *review_default.warnings(svc)]:
            log.warning("%s", warning)

    async def _try(self, app: BotApp, attempt: int, pause: float) -> bool:
        """One getMe; False when it failed: a 401 marks the bot rejected, anything else is
        logged with the pause before the next try."""
        link = app.runtime.link
        try:
            await app.initialize()
        except InvalidToken:
            link.rejected()
        except RetryAfter:
            link.unreachable("asked to wait")
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            link.unreachable(f"{exc.__class__.__name__}: {exc}")
        else:
            return True
        if link.state is not State.REJECTED:
            self._waiting(link, attempt, pause)
        await app.bot.shutdown()  # the HTTP client the try opened, or it complains at exit
        return False

    async def _keep_trying(self, app: BotApp) -> None:
        """getMe again after 1, 2, 4 … seconds, then every minute, until it answers."""
        wait, attempt = FIRST_WAIT, 1
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), wait)
            if self.stopping.is_set():
                return
            attempt, wait = attempt + 1, min(LONGEST_WAIT, wait * 2)
            if await self._try(app, attempt, wait):
                await self._joined([app])
                return
            if app.runtime.link.state is State.REJECTED:
                return

    def _waiting(self, link: BotLink, attempt: int, pause: float) -> None:
        whose = f" for {link.name}" if len(self.apps) > 1 else ""
        why = link.reason.removeprefix("Telegram cannot be reached (").removesuffix(")")
        log.warning(
            "Telegram cannot be reached%s (try %d, %s); trying again in %.0f s",
            whose,
            attempt,
            why,
            pause,
        )

    async def _joined(self, apps: list[BotApp]) -> None:
        """Bots whose getMe answered, in BOT_TOKENS order: recorded (the first start's
        primary, roles), menus published, jobs scheduled, and, when serving, started."""
        if not apps:
            return
        for app in apps:
            app.runtime.link.up(app.bot.id, app.bot.username)
        await bots.settle(self.services, [(a.bot.id, a.bot.username) for a in apps])
        for app in apps:
            self.metrics.bot_standing(app.runtime.link, True)
            await menus.publish(app.bot, self.services)
            jobs.schedule(app)
            if self._serve:
                await app.start()
                await self._take_updates(app)
            log.info(
                "bot @%s ready with %d campaigns", app.bot.username, len(self.services.campaigns)
            )

    async def _take_updates(self, app: BotApp) -> None:
        settings = self.services.settings
        if settings.webhook_url:
            if self._webhooks is None:
                self._webhooks = webhooks.Listener(settings)
                await self._webhooks.start()
            await self._webhooks.add(app, several=len(self.apps) > 1)
            return
        assert app.updater is not None
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1, error_callback=_quiet
        )

    def _rejected(self, link: BotLink) -> None:
        """A token Telegram refused, at start or while the process runs: the others keep
        serving; when it was the last, the process stops (exit 2, bot.cli.run)."""
        self.metrics.bot_standing(link, False)
        if len(self.apps) > 1:  # one bot's rejection is the last line (bot.cli.run)
            log.error("%s: %s; the other bots keep serving", link.name, link.reason)
        if self.all_rejected():
            self.stopping.set()

    def all_rejected(self) -> bool:
        return all(link.state is State.REJECTED for link in self.links)

    async def _wait_for_one(self) -> None:
        while not self.serving() and not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), 0.2)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Each bot stopped, then the shared part closed (the database last)."""
        self.stopping.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.upgrade is not None:
            self.upgrade.cancel()  # resumes at the next start
        # Before the HTTP clients close: a runner stopped mid-send could repeat a message.
        await self.broadcaster.stop()
        if self._webhooks is not None:
            await self._webhooks.stop()
        for app in self.apps:
            await _stop(app)
        await health.close_endpoint(self)
        svc = self.services
        if svc.db.is_open:  # a second close finds it closed
            await leases.release_all(svc)  # no other worker waits for expiry
        await svc.db.close()


def _quiet(exc: Exception) -> None:
    """getUpdates failures are counted and logged by bot.telegram.client already."""


async def _stop(app: BotApp) -> None:
    """One bot: its updates, its Application, its side calls and HTTP clients."""
    if app.updater is not None and app.updater.running:
        with contextlib.suppress(Exception):  # a poll a 401 ended is stopped already
            await app.updater.stop()
    if app.running:
        await app.stop()
    await app.runtime.side_calls.close()
    with contextlib.suppress(Exception):
        await app.shutdown()
