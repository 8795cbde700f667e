"""Drives an Application the way production does, for benchmarks and load tests.

In production (polling or webhook) PTB puts each update on `app.update_queue`; the fetcher
started by `app.start()` hands it to the update processor (our PerUserProcessor), which runs
different users concurrently and one user's updates in order. `Driver` feeds that same queue
and lets the caller await the moment an update has been fully handled, so load tests measure
the real concurrency model instead of calling `process_update` directly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.support.faketg import FakeTelegram, FakeUser, side_calls_done
from tests.support.faketg.html import u16len

AnyApp = Application[Any, Any, Any, Any, Any, Any]


class Driver:
    """Feeds `app.update_queue` and resolves a future when the processor finishes an update."""

    def __init__(self, app: AnyApp) -> None:
        self.app = app
        self.latencies: list[float] = []
        self.recorded: list[dict[str, Any]] | None = None  # set to a list to keep what was fed
        self._pending: dict[int, tuple[object, float, asyncio.Future[None]]] = {}
        processor = app.update_processor
        inner = processor.do_process_update

        async def tracked(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await inner(update, coroutine)
            finally:
                entry = self._pending.pop(id(update), None)
                if entry is not None:
                    self.latencies.append(time.perf_counter() - entry[1])
                    if not entry[2].done():
                        entry[2].set_result(None)

        processor.do_process_update = tracked  # type: ignore[method-assign]

    async def feed(self, update: Update) -> None:
        """Queues the update as the Updater would and waits until it has been handled."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[id(update)] = (update, time.perf_counter(), future)
        await self.app.update_queue.put(update)
        await future

    async def feed_dict(self, data: dict[str, Any]) -> None:
        if self.recorded is not None:
            self.recorded.append(data)
        await self.feed(Update.de_json(data, self.app.bot))


class QueuedUser(FakeUser):
    """A FakeUser whose updates take the production path (queue → PerUserProcessor)."""

    def __init__(self, fake: FakeTelegram, app: AnyApp, user: dict[str, Any], driver: Driver):
        super().__init__(fake, app, user)
        self.driver = driver

    async def _deliver(self, update: dict[str, Any], chat_id: int | None, expect: str) -> None:
        self.last_update = update
        await self.driver.feed_dict(update)
        await side_calls_done(self.app)


def queued_user(fake: FakeTelegram, driver: Driver, **kwargs: Any) -> QueuedUser:
    first = kwargs.pop("first_name", "Alice")
    user = fake.new_user(first, **kwargs)
    return QueuedUser(fake, driver.app, user, driver)


class LeanUser:
    """A thin client for benchmarks: builds update dicts directly, finds buttons by label.

    FakeUser re-reads every message of the chat on each step; at 10,000 users that client
    work would be billed to the bot, so the benchmark uses this instead.
    """

    def __init__(self, fake: FakeTelegram, driver: Driver, first_name: str = "Alice") -> None:
        self.fake = fake
        self.driver = driver
        self.user = fake.new_user(first_name, language_code="en")
        self.id: int = self.user["id"]
        self.chat = fake.chats[self.id]
        self.chat.started = True

    def last_bot_message(self) -> dict[str, Any]:
        bot_id = self.fake.bot["id"]
        for msg in reversed(self.chat.messages.values()):
            if msg["from"]["id"] == bot_id:
                return msg
        raise AssertionError(f"no bot message for user {self.id}")

    def bot_messages(self) -> int:
        bot_id = self.fake.bot["id"]
        return sum(1 for m in self.chat.messages.values() if m["from"]["id"] == bot_id)

    async def send(self, text: str) -> None:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            cmd = text.split(maxsplit=1)[0]
            fields["entities"] = [{"offset": 0, "length": u16len(cmd), "type": "bot_command"}]
        msg = self.fake.add_message(self.chat, self.user, fields)
        await self.driver.feed_dict({"update_id": self.fake.next_update_id(), "message": msg})

    async def press(self, label: str) -> None:
        msg = self.last_bot_message()
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row if "callback_data" in b]
        found = next((b for b in buttons if label in b["text"]), None)
        if found is None:
            raise AssertionError(f"no button {label!r}: {[b['text'] for b in buttons]}")
        await self.press_data(found["callback_data"], msg)

    async def press_data(self, data: str, msg: dict[str, Any]) -> None:
        qid = self.fake.next_query_id()
        with self.fake.lock:
            self.fake.callback_queries[qid] = {"answered": False, "user_id": self.id, "data": data}
        query = {
            "id": qid,
            "from": self.user,
            "message": dict(msg),
            "chat_instance": str(self.id),
            "data": data,
        }
        update = {"update_id": self.fake.next_update_id(), "callback_query": query}
        await self.driver.feed_dict(update)


def spawn_bot(
    env: dict[str, str],
    base_url: str,
    log_path: Path,
    *,
    command: list[str] | None = None,
    cwd: Path | None = None,
    pythonpath: Path | None = None,
) -> subprocess.Popen[bytes]:
    """The real bot process (`python -m bot` from this checkout unless told otherwise) against
    an HTTP fake; `env` wins over the defaults."""
    root = Path(__file__).resolve().parents[2]
    run_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(pythonpath or root),
        **env,
        "BOT_API_BASE_URL": base_url,
    }
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command or [sys.executable, "-m", "bot"],
            cwd=cwd or log_path.parent,
            env=run_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_bot(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM, as a service manager would; SIGKILL only if it does not stop in time."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
