"""FakeRequest: PTB's BaseRequest answered in-process by a FakeTelegram (no sockets)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from .model import FaultTimeout, Upload

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # BaseRequest.do_request's, under no public name

    from .core import FakeTelegram


def uploads_from(request_data: RequestData | None) -> dict[str, Upload]:
    """Multipart parts of a PTB request as Uploads (content may be bytes or a file handle)."""
    if request_data is None or not request_data.contains_files:
        return {}
    out: dict[str, Upload] = {}
    for name, (filename, content, mime) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        out[name] = Upload(data, filename or name, mime or "application/octet-stream")
    return out


UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


class FakeRequest(BaseRequest):
    """Routes `.../bot<token>/<method>` to the fake of that token (`route`: several bots,
    bot.telegram.fleet), else to `fake` while it accepts the token; a token no bot accepts
    is answered 401, as Telegram does. Injected timeouts become TimedOut."""

    def __init__(
        self, fake: FakeTelegram, route: Callable[[str], FakeTelegram | None] | None = None
    ) -> None:
        self.fake = fake
        self.route = route or (lambda token: fake if fake.accepts(token) else None)
        self.initialized = False

    @property
    def read_timeout(self) -> float | None:
        """PTB adds this to getUpdates' long-poll timeout; irrelevant in-process."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open."""
        self.initialized = True

    async def shutdown(self) -> None:
        """Nothing to close."""
        self.initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one request like the Bot API would, as (status, JSON bytes)."""
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        if path.startswith("file/bot"):
            return self._download(path)
        fake = self.route(path.split("/", 1)[0].removeprefix("bot"))
        if fake is None:
            return 401, json.dumps(UNAUTHORIZED).encode()
        api_method = path.rsplit("/", 1)[-1].split("?", 1)[0]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        try:
            status, body = await fake.call_async(api_method, params, uploads_from(request_data))
        except FaultTimeout as e:
            raise TimedOut(f"Timed out (faketg injected; took_effect={e.took_effect})") from e
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _download(self, path: str) -> tuple[int, bytes]:
        _, token, file_path = path.split("/", 2)
        fake = self.route(token.removeprefix("bot"))
        if fake is None:
            return 401, json.dumps(UNAUTHORIZED).encode()
        with fake.lock:
            for f in fake.files.values():
                if f.file_path == file_path:
                    return 200, f.data
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
