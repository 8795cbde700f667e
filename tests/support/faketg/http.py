"""The fake Bot API served over HTTP (stdlib asyncio, own thread) for end-to-end tests.

Start the bot process with BOT_API_BASE_URL=server.base_url; PTB appends the token.
RemoteUser drives it by queueing updates for getUpdates and waiting for the reaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .model import FaultTimeout, Upload
from .user import BaseUser

if TYPE_CHECKING:
    from .core import FakeTelegram

_NOT_FOUND = (404, {"ok": False, "error_code": 404, "description": "Not Found"})
_UNAUTHORIZED = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
}


def _parse_multipart(ctype: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    boundary = ""
    for piece in ctype.split(";"):
        k, _, v = piece.strip().partition("=")
        if k.lower() == "boundary":
            boundary = v.strip('"')
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                hk, _, hv = line.partition(":")
                headers[hk.strip().lower()] = hv.strip()
        disp = {}
        for item in headers.get("content-disposition", "").split(";")[1:]:
            dk, _, dv = item.strip().partition("=")
            disp[dk.lower()] = dv.strip('"')
        name = disp.get("name", "")
        if "filename" in disp:
            mime = headers.get("content-type", "application/octet-stream")
            files[name] = Upload(content, disp["filename"] or name, mime)
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


@dataclass
class ConnectionFaults:
    """Network trouble between the bot and the fake, below the Bot API.

    `requests_per_connection`: the server ends each connection after this many answers (it
    says so with `Connection: close`, as servers do), so the client keeps opening new ones
    (0 = keep-alive for ever). `cut_rate` of the calls to `cut_methods` (all when empty) are
    executed and then their connection is dropped without an answer: the client cannot tell
    whether the call took effect. `cuts` records each cut method, in order.
    """

    requests_per_connection: int = 0
    cut_rate: float = 0.0
    cut_methods: tuple[str, ...] = ()
    seed: int = 1
    cuts: list[str] = field(default_factory=list)
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def cut(self, method: str) -> bool:
        if self.cut_methods and method not in self.cut_methods:
            return False
        if self.cut_rate <= 0 or self.rng.random() >= self.cut_rate:
            return False
        self.cuts.append(method)
        return True


class FakeTelegramServer:
    """Serves `/bot<token>/<method>` and `/file/bot<token>/<path>` on 127.0.0.1:<ephemeral>."""

    def __init__(
        self,
        fake: FakeTelegram,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
    ) -> None:
        """With `token`, any other token is answered 401, as Telegram does for a revoked one."""
        self.fake = fake
        self.token = token
        self.host = host
        self.port = port
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="faketg")
        self._socket: socket.socket | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.connection_faults: ConnectionFaults | None = None
        self.refused_windows = 0

    @property
    def base_url(self) -> str:
        """Value for BOT_API_BASE_URL / Bot(base_url=...)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for Bot(base_file_url=...)."""
        return f"http://{self.host}:{self.port}/file/bot"

    def start(self) -> FakeTelegramServer:
        """Bind and serve in a background thread; returns self."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        return self

    async def _listen(self) -> None:
        # Our own accept callback rather than asyncio.Server: refuse_connections can then
        # stop accepting without dropping a connection already taken from the kernel (a
        # closed asyncio.Server drops those it had accepted but not yet set up, and the
        # client sees a reset request that may have been sent).
        sock = socket.create_server((self.host, self.port))
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._socket = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._accept_all)

    def _accept_all(self) -> None:
        assert self._socket is not None
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                conn, _ = self._socket.accept()
                conn.setblocking(False)
                self._spawn(conn)

    def _spawn(self, conn: socket.socket) -> None:
        task = asyncio.create_task(self._serve_socket(conn))
        self._connections.add(task)  # asyncio keeps only a weak reference to a task
        task.add_done_callback(self._connections.discard)

    async def _serve_socket(self, conn: socket.socket) -> None:
        reader, writer = await asyncio.open_connection(sock=conn)
        await self._conn(reader, writer)

    async def _stop_listening(self) -> None:
        """Stops accepting, serves what the kernel had queued, then closes the socket."""
        if self._socket is not None:
            asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._accept_all()
            self._socket.close()
            self._socket = None

    def stop(self) -> None:
        """Close the socket and stop the thread."""
        if self._socket is not None:

            async def _close() -> None:
                await self._stop_listening()
                others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for task in others:
                    task.cancel()
                # Let the cancelled connections finish before the loop stops, or their
                # cleanup runs on a closed loop.
                await asyncio.gather(*others, return_exceptions=True)

            asyncio.run_coroutine_threadsafe(_close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    async def refuse_connections(self, seconds: float) -> None:
        """Stops listening for `seconds`: new connections are refused (the client's connect
        fails, so it knows nothing was sent); open ones carry on. Call from any loop."""

        async def _refuse() -> None:
            await self._stop_listening()
            await asyncio.sleep(seconds)
            await self._listen()
            self.refused_windows += 1

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_refuse(), self.loop))

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered = 0
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                _verb, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = await self._body(reader, headers)
                try:
                    status, ctype, payload = await self._dispatch(target, headers, body)
                except FaultTimeout:
                    assert self.fake.faults is not None
                    await asyncio.sleep(self.fake.faults.http_hold_seconds)
                    break
                faults = self.connection_faults
                if faults is not None and faults.cut(urlsplit(target).path.rsplit("/", 1)[-1]):
                    break  # executed, never answered
                answered += 1
                last = bool(
                    faults
                    and faults.requests_per_connection
                    and answered >= faults.requests_per_connection
                )
                head = (
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n"
                    f"Connection: {'close' if last else 'keep-alive'}\r\n\r\n"
                )
                writer.write(head.encode("latin-1") + payload)
                await writer.drain()
                if last or headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            return await reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readline()).strip() or b"0", 16):
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            return b"".join(chunks)
        return b""

    async def _dispatch(
        self, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        parts = url.path.split("/")
        if len(parts) >= 4 and parts[1] == "file" and parts[2].startswith("bot"):
            return self._download("/".join(parts[3:]))
        if len(parts) != 3 or not parts[1].startswith("bot") or len(parts[1]) < 4:
            status, obj = _NOT_FOUND
            return status, "application/json", json.dumps(obj).encode()
        if self.token is not None and parts[1] != f"bot{self.token}":
            status, obj = _UNAUTHORIZED
            return status, "application/json", json.dumps(obj).encode()
        params: dict[str, Any] = dict(parse_qsl(url.query))
        files: dict[str, Upload] = {}
        ctype = headers.get("content-type", "")
        if ctype.startswith("application/json") and body:
            params.update(json.loads(body))
        elif ctype.startswith("multipart/form-data"):
            fields, files = _parse_multipart(ctype, body)
            params.update(fields)
        elif body:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params = self.fake.spec.coerce_form(parts[2], params)
        status, obj = await self.fake.call_async(parts[2], params, files)
        return status, "application/json", json.dumps(obj, ensure_ascii=False).encode("utf-8")

    def _download(self, path: str) -> tuple[int, str, bytes]:
        with self.fake.lock:
            for f in self.fake.files.values():
                if f.file_path == path:
                    return 200, f.mime, f.data
        return 404, "application/json", json.dumps(_NOT_FOUND[1]).encode()


class RemoteUser(BaseUser):
    """A user of a bot running as a separate process/task that polls the HTTP fake."""

    def __init__(self, fake: FakeTelegram, user: dict[str, Any], timeout: float = 10.0) -> None:
        super().__init__(fake, user)
        self.timeout = timeout
        self.quiet = 0.2

    async def _deliver(self, update: dict[str, Any], chat_id: int | None, expect: str) -> None:
        fake = self.fake
        with fake.lock:
            start = len(fake.calls)
        self.last_update = update
        fake.enqueue_update(update)
        kind = next(k for k in update if k != "update_id")
        qid = update[kind].get("id") if expect in ("answer", "inline") else None
        table = fake.callback_queries if expect == "answer" else fake.inline_queries
        deadline = time.monotonic() + self.timeout
        seen, changed = -1, time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            with fake.lock:
                delivered = update["update_id"] in fake.delivered
                new = [c for c in fake.calls[start:] if c.method != "getUpdates"]
                answered = qid is not None and table.get(qid, {}).get("answered", False)
            if len(new) != seen:
                seen, changed = len(new), now
            if expect == "reply":
                reacted = any(c.chat_id == chat_id for c in new)
            else:
                reacted = answered if qid is not None else True
            if delivered and reacted and now - changed >= self.quiet:
                return
            if now > deadline:
                summary = [f"{c.method}({c.chat_id})" for c in new][-10:]
                raise TimeoutError(
                    f"bot did not react to {kind} update {update['update_id']} within "
                    f"{self.timeout}s (fetched by getUpdates: {delivered}; expected: {expect} "
                    f"for chat {chat_id}; calls since: {summary})"
                )
