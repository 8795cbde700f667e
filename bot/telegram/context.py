"""The typed runtime of one bot, the Application that carries it, and the context handlers get.

What the process shares (settings, storage, signer key, campaigns: `Services`; metrics, the
ops endpoint, jobs and the broadcast runner: the `Fleet`) is kept apart from what belongs to
one bot (its Application, its standing with Telegram, flood and group budgets, the newest
messages of its chats), so that several bots serve over one shared part (reserve bots).
Everything here is created by the composition root, bot.telegram.app.build_fleet, and nowhere
else.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, CallbackContext, ExtBot

from bot.core import trail
from bot.core.services import Services

if TYPE_CHECKING:
    from bot.telegram.broadcast import Broadcaster
    from bot.telegram.fleet import Fleet
    from bot.telegram.health import OpsServer
    from bot.telegram.links import BotLink
    from bot.telegram.metrics import Metrics
    from bot.telegram.middleware import Gatekeeper, GroupBudget
    from bot.telegram.newest import NewestInChat
    from bot.telegram.side_calls import SideCalls


@dataclass
class BotRuntime:
    """One bot's own runtime objects, over the process's shared `fleet` and `services`."""

    fleet: Fleet
    link: BotLink  # its standing with Telegram
    gatekeeper: Gatekeeper
    group_budget: GroupBudget  # every post into a group draws on it
    group_refusals: GroupBudget  # refusals in groups have their own, smaller allowance
    newest: NewestInChat  # the newest messages of each private chat (the flow's "still last?")
    side_calls: SideCalls  # callback answers and deletions no edit waits for

    @property
    def services(self) -> Services:
        return self.fleet.services

    @property
    def metrics(self) -> Metrics:
        return self.fleet.metrics

    @property
    def broadcaster(self) -> Broadcaster:
        return self.fleet.broadcaster

    @property
    def ops_server(self) -> OpsServer | None:
        return self.fleet.ops_server

    @property
    def upgrade(self) -> asyncio.Task[int] | None:
        return self.fleet.upgrade


class ForgetfulRateLimiter(AIORateLimiter):
    """PTB's limiter keeps a limiter per group it wrote to, dropping idle ones only past 512
    groups; this one drops them at each sweep, as PTB itself does then."""

    def forget_idle(self) -> None:
        limiters = self._group_limiters
        for group, limiter in list(limiters.items()):
            if limiter.has_capacity(limiter.max_rate):
                del limiters[group]


class _Forget:
    """Put in the update queue after a sweep; handled by nobody (see `forget_last_update`)."""


_FORGET = _Forget()


class BotApplication(Application[ExtBot[None], "BotContext", Any, Any, Any, Any]):
    """PTB's Application with the bot's runtime, timing each update it handles and settling
    what it owes the database."""

    runtime: BotRuntime  # set by build_fleet before the Application runs

    def _mark_for_persistence_update(self, *, update: object = None, job: Any = None) -> None:
        """Off: PTB would add every user and chat id it sees to two sets for a persistence we
        do not have, and never clear them, so the process would remember everyone."""

    def forget_idle(self) -> None:
        """What PTB keeps per person or group beyond a sweep of bot.domain.expiring.

        PTB's update fetcher holds the last update it took in a local variable until the
        next one arrives: on a quiet bot, one person's update for hours. A marker replaces it."""
        limiter = self.bot.rate_limiter
        if isinstance(limiter, ForgetfulRateLimiter):
            limiter.forget_idle()
        if self.running:
            self.update_queue.put_nowait(_FORGET)

    async def process_update(self, update: object) -> None:
        if update is _FORGET:
            return
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            await self._settle(update)
            self.runtime.metrics.observe_update(update, time.perf_counter() - started)

    async def _settle(self, update: object) -> None:
        """What the update still owes the database for its person: a trail note no
        transaction of the update carried (bot.core.trail.owe)."""
        user = update.effective_user if isinstance(update, Update) else None
        person = None if user is None else self.runtime.services.known_person(user.id)
        if person is not None:
            await trail.settle(self.runtime.services, person)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's runtime and the shared Services."""

    @property
    def runtime(self) -> BotRuntime:
        app: BotApplication = self.application  # type: ignore[assignment]
        return app.runtime

    @property
    def svc(self) -> Services:
        return self.runtime.services


BotApp = BotApplication
