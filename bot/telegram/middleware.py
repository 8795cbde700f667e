"""What runs before any handler: per-user ordering, flood control, redelivery de-duplication."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor

from bot.core import trail
from bot.core.workers import Shared
from bot.domain import costs, deeplinks
from bot.domain.costs import Verdict
from bot.domain.expiring import Expiring, Memory
from bot.telegram import callbacks

if TYPE_CHECKING:
    from bot.telegram.context import BotRuntime

log = logging.getLogger(__name__)


def _key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


def _action(update: Update) -> str:
    """What the update asks for, as bot.domain.costs names it: a button's action, or a
    command (`/start __list` for the list's deep link); "" for anything else."""
    if update.callback_query is not None:
        decoded = callbacks.decode(update.callback_query.data)
        return decoded.action if decoded else ""
    text = update.message.text if update.message is not None else None
    if not text or not text.startswith("/"):
        return ""
    command, *payload = text.split()
    command = command.split("@", 1)[0].lower()
    if command == "/start" and payload and deeplinks.list_slug(payload[0]):
        return "/start __list"
    return command


def _discard(coroutine: Awaitable[Any]) -> None:
    """Closes a coroutine that will not run, so Python does not warn it was never awaited."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()


class PerUserProcessor(BaseUpdateProcessor):
    """Different people's updates run concurrently; one person's run in order.

    A signer's typed name must be handled before their next tap, while a thousand strangers
    signing at once should not queue behind each other. PTB takes its slot before calling us,
    so one account's backlog would hold them all: PTB's limit is therefore unbounded (that is
    what `max_concurrent_updates` reports) and ours is taken only once the person's previous
    update is done. A flooding person's excess is dropped (the Gatekeeper decides) unawaited.

    `runtime` returns the bot's runtime (Gatekeeper and Services); it is a callable because the
    processor is built before the Application.
    """

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        runtime: Callable[[], BotRuntime],
    ) -> None:
        # PTB's own semaphore (taken before do_process_update) must never bind; ours does.
        super().__init__(sys.maxsize)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._runtime = runtime
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        try:
            if key is None:
                async with self._slots:
                    await coroutine
            else:
                await self._queued(key, cast(Update, update), coroutine)
        finally:
            _discard(coroutine)  # a dropped (or cancelled) update's; a no-op once it ran

    async def _queued(self, key: int, update: Update, coroutine: Awaitable[Any]) -> None:
        """Counted as waiting from its arrival (the flood rule asks the database meanwhile),
        then the person's previous update first, then a slot, then the person's turn across
        workers (bot.core.workers): a waiting backlog holds no slot and no connection."""
        queued = self._waiting.get(key, 0)
        self._waiting[key] = queued + 1
        try:
            if await self._admit(update, key, queued):
                lock = self._locks.setdefault(key, asyncio.Lock())
                shared = self._runtime().gatekeeper.shared
                async with lock, self._slots, shared.turn(key, update.update_id) as fresh:
                    if fresh:
                        await coroutine
                    else:
                        log.info("dropped update %s, handled by another worker", update.update_id)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def _admit(self, update: Update, key: int, queued: int) -> bool:
        """Asks the Gatekeeper; organisers are never throttled (they may need to act fast)."""
        if update.effective_user is None:
            return True
        runtime = self._runtime()
        if runtime.services.level(key) is not None:
            return True
        keeper = runtime.gatekeeper
        cost = costs.cost_of(_action(update))
        verdict = await keeper.admit(key, update.update_id, queued, cost)
        if verdict is Verdict.DROP:
            log.debug("dropped update %s of a flooding user", update.update_id)
            return False
        return True

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class Gatekeeper:
    """The one place that decides flood control, and remembers updates already seen.

    Each person has a token bucket (`burst` tokens, refilled at `per_second`; an update takes
    what bot.domain.costs says it costs) kept in the database, so that it holds across workers
    (bot.core.workers), and at most `max_queued` updates waiting or running in this process;
    ten fit because an album arrives as up to ten updates at once. A flood gets one notice;
    the next flood only after the bucket refilled.
    """

    def __init__(
        self,
        shared: Shared,
        burst: int = costs.BURST,
        per_second: float = costs.PER_SECOND,
        remember: int = 50_000,
        max_queued: int = 10,
        memory: Memory | None = None,
    ) -> None:
        # `is None`, not `or`: an empty Memory is falsy, and a map made elsewhere is never swept.
        memory = Memory(time.monotonic, secrets.token_bytes(32)) if memory is None else memory
        # Update ids, not people: forgotten with the rest, so a quiet bot holds none of them.
        self._seen: Expiring[int, bool] = memory.by_key(most=remember)
        self.shared = shared
        self._burst = burst
        self._rate = per_second
        self._max_queued = max_queued
        self._notices: set[int] = set()  # update ids that carry a flood's notice

    def seen_before(self, update_id: int) -> bool:
        if update_id in self._seen:
            return True
        self._seen[update_id] = True
        return False

    async def admit(self, user_id: int, update_id: int, queued: int, cost: int = 1) -> Verdict:
        """RUN while the person has `cost` tokens left and fewer than `max_queued` updates
        here; a full queue is refused as an empty bucket is, and takes nothing from it."""
        asked = float(cost) if queued < self._max_queued else self._burst + 1.0
        verdict = await self.shared.admit(user_id, asked, self._burst, self._rate)
        if verdict is Verdict.NOTICE:
            if len(self._notices) > 10_000:  # owed notices whose update never ran (shutdown)
                self._notices.clear()
            self._notices.add(update_id)
        return verdict

    def take_notice(self, update_id: int) -> bool:
        """True once for an update admitted only to carry the flood notice."""
        if update_id in self._notices:
            self._notices.discard(update_id)
            return True
        return False


def _note_trail(update: Update, context: Any) -> None:
    """Where a private conversation began, for "leave no trace" (bot.telegram.handlers.cleanup):
    owed, and written with the update's own transaction (bot.core.trail.owe)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or chat.type != "private" or message is None or user is None:
        return
    trail.owe(context.svc, user.id, context.bot.id, message.message_id)


def _note_newest(update: Update, context: Any) -> None:
    """A message the person sent is now the newest in the chat; a button only says they are
    still here (bot.telegram.newest)."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    newest = context.runtime.newest
    if update.message is not None:
        newest.saw(chat.id, update.message.message_id)
    else:
        newest.touch(chat.id)


def _touches_person(update: Update) -> bool:
    """Whether handling it may read or write per-person rows, so it needs the slow base:
    a private chat's update or a button. Inline queries and group commands get by with
    Telegram's language_code and the group's settings."""
    if update.effective_user is None:
        return False
    chat = update.effective_chat
    return update.callback_query is not None or (chat is not None and chat.type == "private")


async def gate(update: object, context: Any) -> None:
    """Group -1 handler: stops duplicates, and sends the one notice of a throttled flood.

    Throttling itself happens in PerUserProcessor, before an update takes a slot.
    """
    if not isinstance(update, Update):
        return
    keeper = context.runtime.gatekeeper
    notice = keeper.take_notice(update.update_id)
    if keeper.seen_before(update.update_id):
        log.info("dropped redelivered update %s", update.update_id)
        raise ApplicationHandlerStop
    if _touches_person(update):
        await context.svc.prepare(update.effective_user.id)  # type: ignore[union-attr]
    _note_newest(update, context)
    _note_trail(update, context)
    if not notice:
        return
    user = update.effective_user
    if update.effective_chat is not None and update.effective_chat.type == "private":
        t = await context.svc.translator_for(user)
        await context.bot.send_message(
            update.effective_chat.id,
            t._("You are sending messages too fast. Please wait a moment."),
        )
    raise ApplicationHandlerStop


GROUP_BUDGET = 6  # posts per group per minute; Telegram allows 20 messages


class GroupBudget:
    """Drops group commands beyond the budget instead of queueing them: `per_minute` posts at
    once, then one every 60/`per_minute` seconds, counted once for every worker through the
    database (bot.core.workers.Shared.group_allows), so N workers never post N times as
    much."""

    def __init__(self, shared: Shared, purpose: str, per_minute: int = GROUP_BUDGET) -> None:
        self.shared, self.purpose, self.per_minute = shared, purpose, per_minute

    async def take(self, chat_id: int) -> bool:
        return await self.shared.group_allows(chat_id, self.purpose, self.per_minute)
