"""What runs before any handler: per-user ordering, redelivery de-duplication, flood control."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor

log = logging.getLogger(__name__)


def _key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserProcessor(BaseUpdateProcessor):
    """Different people's updates run concurrently; one person's run in order.

    A signer's typed name must be handled before their next tap, while a thousand strangers
    signing at once should not queue behind each other.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class Gatekeeper:
    """Drops updates already seen (Telegram redelivers) and throttles flooding users."""

    def __init__(self, burst: int = 30, per_second: float = 3.0, remember: int = 50_000) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember
        self._burst = burst
        self._rate = per_second
        self._buckets: dict[int, tuple[float, float, bool]] = {}  # tokens, at, warned

    def seen_before(self, update_id: int) -> bool:
        if update_id in self._seen:
            return True
        self._seen[update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return False

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn is True once per flood, for a single notice."""
        now = time.monotonic() if now is None else now
        tokens, at, warned = self._buckets.get(user_id, (float(self._burst), now, False))
        tokens = min(float(self._burst), tokens + (now - at) * self._rate)
        if tokens >= 1:
            self._buckets[user_id] = (tokens - 1, now, False)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return True, False
        self._buckets[user_id] = (tokens, now, True)
        return False, not warned


async def gate(update: object, context: Any) -> None:
    """Group -1 handler: stops processing for duplicates and throttled floods."""
    if not isinstance(update, Update):
        return
    keeper: Gatekeeper = context.application.bot_data["gatekeeper"]
    if keeper.seen_before(update.update_id):
        log.info("dropped redelivered update %s", update.update_id)
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or context.svc.is_admin(user.id):
        return
    allowed, warn = keeper.allow(user.id)
    if allowed:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if warn and update.effective_chat is not None and update.effective_chat.type == "private":
        t = await context.svc.translator_for(user)
        await context.bot.send_message(
            update.effective_chat.id,
            t._("You are sending messages too fast. Please wait a moment."),
        )
    raise ApplicationHandlerStop
