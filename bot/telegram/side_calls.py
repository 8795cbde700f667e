"""Bot API calls a handler starts without waiting for them: the callback answer, the deletion
of a typed message.

Neither changes what the next call shows, so the screen's edit need not wait a round trip for
them (issue 32: with Telegram answering in 100 ms, every tap took two round trips). Each call
is started where it used to be awaited, after whatever the tap records, so nothing it says can
come before the fact. The tasks stay referenced here until they end (the event loop keeps only
weak references), their failures are counted where every Bot API failure is
(bot.telegram.client.ResilientRequest) and logged without their text, and at shutdown they are
awaited, then cancelled, before the HTTP client closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from telegram.error import TelegramError

log = logging.getLogger(__name__)

CLOSE_WAIT = 5.0  # seconds a stopping bot gives the calls still in flight


class SideCalls:
    """The calls in flight of one bot."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, call: Coroutine[Any, Any, object], what: str) -> None:
        task = asyncio.create_task(self._run(call, what), name=f"side-{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _run(call: Coroutine[Any, Any, object], what: str) -> None:
        try:
            await call
        except TelegramError as exc:  # already counted by the client; the text may hold a name
            log.warning("Bot API %s failed: %s", what, exc.__class__.__name__)
        except Exception:
            log.exception("Bot API %s failed", what)

    async def settle(self) -> None:
        """Returns once no call is in flight (those started meanwhile included)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self, wait: float = CLOSE_WAIT) -> None:
        """Lets the calls in flight end within `wait` seconds, then cancels the rest."""
        if not self._tasks:
            return
        await asyncio.wait(set(self._tasks), timeout=wait)
        left = set(self._tasks)
        for task in left:
            task.cancel()
        if left:
            log.warning("%d Bot API calls cancelled at shutdown", len(left))
            await asyncio.gather(*left, return_exceptions=True)
