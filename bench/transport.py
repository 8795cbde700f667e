"""CPU per Bot API call through the production transport, against the one it replaced.

The calls are the ones a signature makes (recorded from one real journey against the
in-process fake: same methods, texts and keyboards), made through PTB's `Bot.do_api_request`
as the handlers make them, against a local HTTP server in another process that answers each
method with what the fake answered. Only this process's CPU is counted (time.process_time),
so the server's own work is not. The rate limiter is left out: it is the same for both.
bench.over_http measures new signers a second over HTTP.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import httpx
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bench.signing import ROOT, TOKEN, journey, start_ours, stop_ours
from bot.telegram.client import ResilientRequest
from bot.telegram.metrics import Metrics
from bot.telegram.transport import AiohttpRequest
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser

Recorded = list[tuple[str, dict[str, Any], Any]]
IN_FLIGHT = 64  # signers whose calls are in flight at once (the production pool's size)


# --- Today's transport, as built on main before it was replaced (commit 935f2e0) ----------


class SpreadRequest(BaseRequest):
    """Four HTTPXRequests used as one: each call goes to the one with the fewest in flight."""

    def __init__(self, parts: list[HTTPXRequest], per_part: int) -> None:
        self._parts = parts
        self._busy = [0] * len(parts)
        self._slots = asyncio.Semaphore(per_part * len(parts))

    @property
    def read_timeout(self) -> float | None:
        return self._parts[0].read_timeout

    async def initialize(self) -> None:
        for part in self._parts:
            await part.initialize()

    async def shutdown(self) -> None:
        for part in self._parts:
            await part.shutdown()

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        async with self._slots:
            index = min(range(len(self._parts)), key=self._busy.__getitem__)
            self._busy[index] += 1
            try:
                return await self._parts[index].do_request(url, method, *args, **kwargs)
            finally:
                self._busy[index] -= 1


def todays_transport() -> BaseRequest:
    """4 pools of 16 httpx connections, the timeouts and keep-alive of main at 935f2e0."""

    def part() -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=16,
            connect_timeout=10.0,
            read_timeout=20.0,
            write_timeout=20.0,
            pool_timeout=20.0,
            httpx_kwargs={"limits": httpx.Limits(max_connections=16, max_keepalive_connections=16)},
        )

    return SpreadRequest([part() for _ in range(4)], 16)


# --- A local server that answers like Telegram ----------------------------------------------


def serve() -> None:
    """In its own process (`python -m bench.transport`): HTTP/1.1 with keep-alive, each
    method answered as recorded (read as JSON from standard input); prints its port."""
    answers = json.loads(sys.stdin.readline())
    bodies = {
        m: json.dumps({"ok": True, "result": r}, ensure_ascii=False).encode()
        for m, r in answers.items()
    }

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                target = line.split(b" ")[1].decode()
                length, is_json = 0, False
                while (h := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = h.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    is_json |= name.lower() == "content-type" and "json" in value
                raw = (await reader.readexactly(length)).decode()
                form = json.loads(raw) if is_json else dict(parse_qsl(raw))
                method = target.rsplit("/", 1)[-1]
                body = bodies.get(method, b'{"ok":true,"result":true}')
                if "chat_id" not in form and method != "getMe":
                    body = b'{"ok":false,"error_code":400,"description":"Bad Request"}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(conn, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())


class TelegramLike:
    """The server above in a process of its own; `with` gives its base URL."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self._answers = answers
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.transport"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(self._answers) + "\n")
        self._process.stdin.flush()
        return f"http://127.0.0.1:{int(self._process.stdout.readline())}/bot"

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        self._process.terminate()
        self._process.wait(10)


# --- The calls of one signature ---------------------------------------------------------------


async def record_signature() -> tuple[Recorded, dict[str, Any]]:
    """The Bot API calls of one shortest-path signature with the fake's answers, and the bot."""
    fake = FakeTelegram()
    with tempfile.TemporaryDirectory() as tmp:
        app = await start_ours(fake, Path(tmp))
        driver = Driver(app)
        await app.start()
        user = LeanUser(fake, driver, first_name="Recorded")
        before = len(fake.calls)
        await journey(user, 1)
        await app.runtime.side_calls.settle()
        calls = fake.calls[before:]
        await stop_ours(app)
    return [(c.method, dict(c.params), c.result) for c in calls], dict(fake.bot)


async def cpu_per_call(
    make: Callable[[], BaseRequest], base_url: str, calls: Recorded, signatures: int
) -> tuple[float, float]:
    """(CPU ms per call, calls a second), IN_FLIGHT signatures' calls in flight at once."""
    metrics = Metrics()  # as in production: every call counted by ResilientRequest
    request, updates = ResilientRequest(make(), metrics), ResilientRequest(make(), metrics)
    bot = Bot(TOKEN, base_url=base_url, request=request, get_updates_request=updates)
    async with bot:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(i: int) -> None:
            async with gate:
                for method, params, _ in calls:
                    await bot.do_api_request(method, api_kwargs={**params, "chat_id": 1000 + i})

        await asyncio.gather(*(one(i) for i in range(IN_FLIGHT)))  # connections opened
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(signatures)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = signatures * len(calls)
    return cpu / n * 1000, n / wall


async def plain_aiohttp(base_url: str, calls: Recorded, signatures: int) -> float:
    """CPU ms per call of a bare aiohttp POST of the same form: the floor, without PTB."""
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(IN_FLIGHT)
        forms = [
            (m, {k: v if isinstance(v, str) else json.dumps(v) for k, v in p.items()})
            for m, p, _ in calls
        ]

        async def one(i: int) -> None:
            async with gate:
                for method, form in forms:
                    body = urlencode({**form, "chat_id": str(1000 + i)}).encode()
                    headers = {"Content-Type": "application/x-www-form-urlencoded"}
                    url = f"{base_url}{TOKEN}/{method}"
                    async with session.post(url, data=body, headers=headers) as response:
                        json.loads(await response.read())

        await asyncio.gather(*(one(i) for i in range(IN_FLIGHT)))
        gc.collect()
        cpu = time.process_time()
        await asyncio.gather(*(one(i) for i in range(signatures)))
        cpu = time.process_time() - cpu
    return cpu / (signatures * len(calls)) * 1000


async def bench(signatures: int) -> dict[str, float]:
    calls, me = await record_signature()
    answers = {"getMe": me, **{method: result for method, _, result in calls}}
    rounds: dict[str, list[tuple[float, float]]] = {"today": [], "production": []}
    plain: list[float] = []
    with TelegramLike(answers) as base_url:
        for _ in range(3):  # alternated, best of three: other work on the machine adds noise
            rounds["today"].append(
                await cpu_per_call(todays_transport, base_url, calls, signatures)
            )
            rounds["production"].append(
                await cpu_per_call(AiohttpRequest, base_url, calls, signatures)
            )
            plain.append(await plain_aiohttp(base_url, calls, signatures))
    today = min(rounds["today"])
    ours = min(rounds["production"])
    methods = ", ".join(m for m, _, _ in calls)
    print(f"\n== Bot API transport: {signatures:,} signatures x {len(calls)} calls ==")
    print(f"   ({methods};")
    print(f"    PTB Bot.do_api_request, {IN_FLIGHT} in flight, local server in another process)")
    print(f"   CPU per call, today      {today[0]:8.3f} ms   (PTB HTTPXRequest, 4 pools of 16)")
    print(
        f"   CPU per call, production {ours[0]:8.3f} ms   target <= {today[0] / 3:.3f} "
        f"(a third of today's): {ours[0] / today[0]:.2f} of it"
    )
    print(f"   CPU per call, bare POST  {min(plain):8.3f} ms   (aiohttp alone, no PTB: the floor)")
    print(
        f"   CPU per signature        {today[0] * len(calls):8.2f} ms today, "
        f"{ours[0] * len(calls):.2f} ms production"
    )
    print(f"   calls/s                  {today[1]:8,.0f} today, {ours[1]:,.0f} production")
    return {"cpu_ms_today": today[0], "cpu_ms_production": ours[0]}


if __name__ == "__main__":
    serve()
