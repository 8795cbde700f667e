"""New signers a second with the memory-hard pseudonym at its production parameters, over HTTP.

Three figures from one run. The real bot process (`python -m bot`, as production runs it:
its transport, getUpdates and all) polling the fake Telegram that this process serves; the
people wait for each answer before their next step, woken as each call of their chat arrives,
and only the bot process's CPU is counted (the fake's still shares the machine's two cores).
Then the bot built in this process with the production transport and with the old one, the
fake served from a thread of the same process (its CPU excluded, its share of the interpreter
not), for the two transports side by side. And the in-process figure bench.signing reports
(the fake called directly, no HTTP), for reference.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest

from bench.signing import CAMPAIGN, ROOT, TOKEN, bench_settings, journey, run_ours, stop_ours
from bench.transport import todays_transport
from bot.config.table import PSEUDONYM_MINIMUM
from bot.telegram.app import build_fleet
from bot.telegram.metrics import Metrics
from tests.support.faketg import FakeTelegram, FakeTelegramServer
from tests.support.faketg.html import u16len
from tests.support.harness import Driver, LeanUser, spawn_bot, stop_bot

AT_ONCE = 100  # people signing at the same time, as in bench.signing's slow run


def _fake_cpu() -> float:
    """CPU seconds of the thread that serves the fake Telegram (Linux; 0 elsewhere)."""
    for thread in threading.enumerate():
        if thread.name == "faketg" and thread.native_id is not None:
            try:
                fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
            except OSError:
                return 0.0
            utime, stime = fields.rsplit(")", 1)[1].split()[11:13]
            return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
    return 0.0


async def signers_in_one_process(
    users: int, request: BaseRequest | None
) -> tuple[float, float, float]:
    """(new signers a second, the bot's and the fake's CPU ms per signer): the app built
    here with `request` (None: the production transport), the fake served from a thread."""
    fake = FakeTelegram()
    with tempfile.TemporaryDirectory() as tmp, FakeTelegramServer(fake) as server:
        settings = bench_settings(Path(tmp), PSEUDONYM_COST=PSEUDONYM_MINIMUM.text)
        settings = replace(settings, api_base_url=server.base_url)
        fleet = build_fleet(settings, request=request, rate_limit=False, metrics=Metrics())
        await fleet.open()
        app = fleet.apps[0]
        driver = Driver(app)
        await app.start()
        people = [LeanUser(fake, driver, first_name=f"H{i}") for i in range(users)]
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(i: int) -> None:
            async with gate:
                await journey(people[i], i)

        gc.collect()
        cpu, wall, theirs = time.process_time(), time.perf_counter(), _fake_cpu()
        await asyncio.gather(*(one(i) for i in range(users)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        theirs = _fake_cpu() - theirs
        cpu -= theirs
        await app.runtime.side_calls.settle()
        await stop_ours(app)
        thanked = sum(1 for p in people if "Thank you" in p.last_bot_message()["text"])
        fake.assert_no_violations()
    if thanked != users:
        raise AssertionError(f"only {thanked} of {users} signers were thanked")
    return users / wall, cpu / users * 1000, theirs / users * 1000


Message = dict[str, Any]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Person:
    """One signer on Telegram's side: sends updates, waits for the bot's answer in the chat."""

    def __init__(self, fake: FakeTelegram, woken: asyncio.Event, n: int) -> None:
        self.fake = fake
        self.woken = woken
        self.user = fake.new_user(f"P{n}", language_code="en")
        self.chat = fake.chats[self.user["id"]]
        self.chat.started = True

    def last(self) -> Message | None:
        with self.fake.lock:
            for message in reversed(self.chat.messages.values()):
                if message["from"]["id"] == self.fake.bot["id"]:
                    return dict(message)
        return None

    async def until(self, seen: Callable[[Message | None], bool]) -> Message:
        async with asyncio.timeout(120):
            while not seen(message := self.last()):
                await self.woken.wait()
                self.woken.clear()
        assert message is not None
        return message

    def send(self, text: str) -> None:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"offset": 0, "length": u16len(command), "type": "bot_command"}]
        with self.fake.lock:
            message = self.fake.add_message(self.chat, self.user, fields)
        self.fake.enqueue_update({"message": message})

    def press(self, message: Message, label: str) -> None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        button = next(b for row in rows for b in row if label in b["text"])
        with self.fake.lock:
            query_id = self.fake.next_query_id()
            self.fake.callback_queries[query_id] = {
                "answered": False,
                "user_id": self.user["id"],
                "data": button["callback_data"],
            }
        query = {
            "id": query_id,
            "from": self.user,
            "message": message,
            "chat_instance": str(self.user["id"]),
            "data": button["callback_data"],
        }
        self.fake.enqueue_update({"callback_query": query})

    async def sign(self, n: int) -> None:
        """The shortest path, as bench.signing.journey takes it."""
        self.send(f"/start {CAMPAIGN}")
        card = await self.until(lambda m: _has(m, "Sign"))
        self.press(card, "Sign")
        await self.until(lambda m: m is not None and m["text"] != card["text"])  # the prompt
        self.send(f"Signer Number{n}")
        preview = await self.until(lambda m: _has(m, "Sign with my name"))
        self.press(preview, "Sign with my name")
        await self.until(lambda m: m is not None and "Thank you" in m["text"])


def _has(message: Message | None, label: str) -> bool:
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    return any(label in b["text"] for row in rows for b in row)


def _wake_each_chat(
    fake: FakeTelegram, woken: dict[int, asyncio.Event], polling: asyncio.Event
) -> None:
    """After every call the fake executes, the person whose chat it touched is woken;
    `polling` is set at the bot's first getUpdates."""
    loop = asyncio.get_running_loop()
    execute = fake.execute

    def executed(method: str, params: dict[str, Any], files: Any = None) -> Any:
        answer = execute(method, params, files)
        if method == "getUpdates":
            loop.call_soon_threadsafe(polling.set)
        chat = params.get("chat_id")
        if chat is None and method == "answerCallbackQuery":
            chat = fake.callback_queries.get(str(params.get("callback_query_id")), {}).get(
                "user_id"
            )
        event = woken.get(int(str(chat))) if str(chat).isdigit() else None
        if event is not None:
            loop.call_soon_threadsafe(event.set)
        return answer

    fake.execute = executed  # type: ignore[method-assign]


async def signers_from_a_process(users: int) -> tuple[float, float, float]:
    """(new signers a second, the bot process's and this one's (the fake's) CPU ms per
    signer)."""
    fake = FakeTelegram()
    woken: dict[int, asyncio.Event] = {}
    polling = asyncio.Event()
    _wake_each_chat(fake, woken, polling)
    people = []
    for n in range(users):
        event = asyncio.Event()
        person = Person(fake, event, n)
        woken[person.user["id"]] = event
        people.append(person)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegramServer(fake) as server:
        env = {
            "BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(Path(tmp) / "bot.sqlite3"),
            "CAMPAIGNS_DIR": str(ROOT / "campaigns"),
            "SIGNER_KEY": "b" * 64,
            "PSEUDONYM_COST": PSEUDONYM_MINIMUM.text,
            "LOG_LEVEL": "WARNING",
        }
        bot = spawn_bot(env, server.base_url, Path(tmp) / "bot.log")
        try:
            async with asyncio.timeout(120):
                await polling.wait()  # migrations done, the first getUpdates made
            gate = asyncio.Semaphore(AT_ONCE)

            async def one(n: int) -> None:
                async with gate:
                    await people[n].sign(n)

            cpu, wall, ours = _cpu_seconds(bot.pid), time.perf_counter(), time.process_time()
            await asyncio.gather(*(one(n) for n in range(users)))
            cpu, wall = _cpu_seconds(bot.pid) - cpu, time.perf_counter() - wall
            ours = time.process_time() - ours
        finally:
            stop_bot(bot, timeout=60)
        fake.assert_no_violations()
    return users / wall, cpu / users * 1000, ours / users * 1000


async def bench(users: int) -> dict[str, float]:
    from_process, process_cpu, fake_process_cpu = await signers_from_a_process(users)
    new_ours, cpu_ours, fake_cpu = await signers_in_one_process(users, None)
    new_old, cpu_old, _ = await signers_in_one_process(users, todays_transport())
    with tempfile.TemporaryDirectory() as tmp:
        direct, *_ = await run_ours(
            users, AT_ONCE, Path(tmp), PSEUDONYM_COST=PSEUDONYM_MINIMUM.text
        )
    print(f"\n== New signers/s over HTTP, production pseudonym cost ({PSEUDONYM_MINIMUM.text}) ==")
    print(f"   {users:,} people, whole journey, {AT_ONCE} at a time, {os.cpu_count()} cores")
    print(f"   the bot process, polling  {from_process:8.1f}   target >= 25")
    print(f"   its CPU per new signer    {process_cpu:8.1f} ms")
    print(f"   the fake's, same cores    {fake_process_cpu:8.1f} ms   (this process)")
    print(
        f"   in one process, production transport {new_ours:6.1f}/s   ({cpu_ours:.1f} ms CPU each,"
    )
    print(f"                                               the fake's {fake_cpu:.1f} ms excluded)")
    print(f"   in one process, old transport        {new_old:6.1f}/s   ({cpu_old:.1f} ms CPU each)")
    print(f"   no HTTP (bench.signing's figure)     {direct.users / direct.seconds:6.1f}/s")
    return {"signers_per_s": from_process, "bot_cpu_ms_per_signer": process_cpu}
