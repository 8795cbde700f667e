"""getUpdates queue with long polling, safe across threads (HTTP server thread + tests)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)


class UpdateQueue:
    """Mixin of FakeTelegram: pending updates, delivery marks and long-poll wake-ups."""

    lock: threading.RLock
    updates: list[dict[str, Any]]
    allowed_updates: frozenset[str]
    webhook: dict[str, Any] | None
    _waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]

    def next_update_id(self) -> int:
        """Update ids increase globally, like Telegram's."""
        raise NotImplementedError

    # -- updates (getUpdates / HTTP mode) ---------------------------------------------------
    def enqueue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (HTTP mode); wakes long-polling requests."""
        with self.lock:
            update.setdefault("update_id", self.next_update_id())
            self.updates.append(update)
            waiters = list(self._waiters)
        for loop, ev in waiters:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)
        return update

    def has_updates(self, offset: int | None) -> bool:
        """Whether getUpdates with this offset would return something now."""
        with self.lock:
            return any(
                (offset is None or u["update_id"] >= offset)
                and next(k for k in u if k != "update_id") in self.allowed_updates
                for u in self.updates
            )

    async def _long_poll(self, params: dict[str, Any]) -> None:
        timeout = params.get("timeout") or 0
        if isinstance(timeout, str):
            timeout = float(timeout) if timeout.replace(".", "", 1).isdigit() else 0
        offset = params.get("offset")
        offset = (
            int(offset)
            if isinstance(offset, int | str) and str(offset).lstrip("-").isdigit()
            else None
        )
        if timeout <= 0 or self.webhook or self.has_updates(offset):
            return
        loop = asyncio.get_running_loop()
        ev = asyncio.Event()
        key = (loop, ev)
        with self.lock:
            self._waiters.add(key)
        try:
            deadline = loop.time() + float(timeout)
            while True:
                ev.clear()
                left = deadline - loop.time()
                if self.has_updates(offset) or left <= 0:
                    break
                try:
                    await asyncio.wait_for(ev.wait(), left)
                except TimeoutError:
                    break
        finally:
            with self.lock:
                self._waiters.discard(key)
