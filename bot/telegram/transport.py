"""The Bot API over aiohttp: one pool of kept-alive connections, typed failures, no token.

It replaced PTB's HTTPXRequest (four httpx pools behind a dispatcher), which cost about seven
times the CPU per call (`python -m bench --only transport`): httpcore rescans its whole pool
on every request, aiohttp's connector takes a free connection from a queue, and a call sent
as JSON is far cheaper to encode than a form of long percent-escaped texts.

Every failure is raised as one of bot.telegram.client's typed errors, decided here where the
library's exceptions are known: `NeverSent` when no connection could be had (refused, DNS,
the connect or the wait for a free connection timed out), `MaybeSent` when the request may
have been written (the connection dropped, the answer timed out). Their messages name the
library's exception class only and chain nothing: aiohttp puts the URL, and so the token,
into some of its messages ("Connection timeout to host https://…/bot<token>/…").
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.request import getproxies, proxy_bypass

import aiohttp
from aiohttp.helpers import BasicAuth, get_env_proxy_for_url
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData
from yarl import URL

from bot.telegram.client import MaybeSent, NeverSent, ResilientRequest
from bot.telegram.metrics import Metrics
from bot.telegram.newest import NewestInChat

if TYPE_CHECKING:
    # BaseRequest.do_request's annotation; PTB exports it under no public name.
    from telegram._utils.types import ODVInput

    from bot.telegram.links import BotLink

# Timeouts sized for a slow Telegram: an answer that takes 8 s still arrives instead of
# becoming an error after PTB's default 5 s (after which the user cannot tell whether a
# message went out). A burst waits for a free connection instead of failing after 1 s.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 20.0
CONNECTIONS = 64  # calls in flight: a burst is then limited by Telegram, not by us
KEEPALIVE_SECONDS = 60.0  # idle connections stay open between bursts (no new TLS handshake)

_JSON = {"Content-Type": "application/json"}


def _seconds(value: ODVInput[float], default: float) -> float | None:
    """PTB's per-call timeout: its DEFAULT_NONE means ours, None means no limit."""
    if isinstance(value, float | int) or value is None:
        return value
    return default


class AiohttpRequest(BaseRequest):
    """PTB's BaseRequest on one aiohttp session; `connections` calls in flight at most."""

    def __init__(
        self,
        connections: int = CONNECTIONS,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        write_timeout: float = WRITE_TIMEOUT,
        pool_timeout: float = POOL_TIMEOUT,
    ) -> None:
        self._connections = connections
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, BasicAuth | None]] = {}
        self._default = self._timeout(connect_timeout, read_timeout, write_timeout, pool_timeout)

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections, limit_per_host=0, keepalive_timeout=KEEPALIVE_SECONDS
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
                headers={"User-Agent": self.USER_AGENT},
                # The proxy is looked up once per server (_proxy), not on every call.
                trust_env=False,
                raise_for_status=False,  # PTB reads the status and Telegram's description
            )

    def _proxy(self, url: str) -> tuple[URL | None, BasicAuth | None]:
        """HTTPS_PROXY, NO_PROXY and the like, as before: read once per server. A proxy named
        that aiohttp cannot use (`https://…`, `socks5://…`) is refused, never bypassed: an
        operator may rely on it to hide where the server connects."""
        origin = url[: url.find("/", url.find("//") + 2)]
        found = self._proxies.get(origin)
        if found is None:
            server, named = URL(origin), getproxies()
            proxy = named.get(server.scheme) or named.get("all")
            if not proxy or proxy_bypass(server.host or ""):
                found = (None, None)
            elif proxy.startswith("http://"):
                found = get_env_proxy_for_url(server)  # with its netrc credentials
            else:
                raise NetworkError(
                    "the proxy named in the environment is not supported: use http://"
                )
            self._proxies[origin] = found
        return found

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def _timeout(
        connect: float | None, read: float | None, write: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """aiohttp has no write timeout: the whole call is bounded by the four together."""
        parts = (connect, read, write, pool)
        total = None if None in parts else sum(p for p in parts if p is not None)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect, sock_read=read
        )

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
        session = self._session
        if session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        given = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        if all(isinstance(v, type(BaseRequest.DEFAULT_NONE)) for v in given):
            timeout = self._default
        else:
            timeout = self._timeout(
                _seconds(connect_timeout, self._connect),
                _seconds(read_timeout, self._read),
                _seconds(write_timeout, self._write),
                _seconds(pool_timeout, self._pool),
            )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None:
            if request_data.contains_files:
                body = _multipart(request_data)
            else:  # JSON: far cheaper to encode than a form of long percent-escaped texts
                body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                headers = _JSON
        proxy, proxy_auth = self._proxy(url)
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, OSError) as exc:  # OSError includes TimeoutError
            failure = _placed(exc)
        raise failure  # outside the handler: aiohttp's exception (and its URL) is not chained


def _placed(exc: BaseException) -> NetworkError:
    """The typed error for one of aiohttp's, with its class name only: its message may quote
    the URL, which holds the token."""
    text = f"Bot API request failed ({exc.__class__.__name__})"
    timed_out = isinstance(exc, TimeoutError)
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return NeverSent(text, timed_out=timed_out)  # no connection, or none came free in time
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | OSError):
        return MaybeSent(text, timed_out=timed_out)  # dropped or timed out after writing
    return NetworkError(text)  # a bad URL or answer: nothing to repeat


def _multipart(data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in data.multipart_data.items():
        form.add_field(
            name,
            content,
            filename=filename or name,
            content_type=mime or "application/octet-stream",
        )
    return form


def telegram_requests(
    metrics: Metrics | None, link: BotLink | None = None, newest: NewestInChat | None = None
) -> tuple[ResilientRequest, ResilientRequest]:
    """(for Bot API calls, for getUpdates) of one bot: each repeats what is safe to, counts,
    and reports the bot's standing to `link`."""
    # getUpdates: one long poll at a time; PTB adds the poll's own timeout to the read timeout.
    return (
        ResilientRequest(AiohttpRequest(), metrics, newest=newest, link=link),
        ResilientRequest(AiohttpRequest(1), metrics, link=link),
    )
