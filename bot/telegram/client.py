"""The HTTP client to the Bot API, sized for bursts and repeating what is safe to repeat.

A burst of hundreds of supporters against a slow Telegram used to end, for some, in "Sorry,
something went wrong" after a single connection error. Two rules fix that without ever
sending a supporter the same message twice:

- A request that certainly never left (no connection could be made, or no pooled connection
  came free in time) is repeated with backoff, whatever the method.
- A request that may have reached Telegram (the connection dropped or timed out after it
  was written) is repeated only for methods whose repetition cannot duplicate a message:
  reads, edits, answers to queries, settings. A `send…`, `forward…` or `copy…` is not: its
  failure goes to the handler, as before.

When the client gives up it raises one of two typed errors, so a caller that wants to repeat
a send itself (the broadcast runner) can tell the two apart: `NeverSent` (nothing reached
Telegram: sending again cannot duplicate) and `MaybeSent` (Telegram may have executed it:
never send it again). Both are PTB NetworkErrors, so every other caller handles them as before.

Each repeat happens inside the one call its handler is waiting on, so one person's updates
still run in order. Every message a call creates in a private chat is noted
(bot.telegram.newest), and a chat whose send may have arrived unseen is forgotten there. 429s are left to PTB's AIORateLimiter (it waits retry_after and retries);
they are counted here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.telegram.metrics import Metrics, method_label
from bot.telegram.newest import NewestInChat

if TYPE_CHECKING:
    # BaseRequest.do_request's annotation; PTB exports it under no public name.
    from telegram._utils.types import ODVInput

log = logging.getLogger(__name__)

# Timeouts sized for a slow Telegram: an answer that takes 8 s still arrives instead of
# becoming an error after PTB's default 5 s (after which the user cannot tell whether a
# message went out). A burst waits for a free connection instead of failing after 1 s.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 20.0
POOLS, CONNECTIONS_PER_POOL = 4, 16
RETRIES = 4  # waits of about 0.25, 0.5, 1 and 2 s: a few seconds, then the handler decides
FIRST_WAIT = 0.25
LONGEST_WAIT = 4.0

# Never left the machine: nothing can have happened at Telegram.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Dropped or timed out after the request was (perhaps) written.
_MAYBE_SENT = (
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
)
# Methods whose repetition cannot put a second message in front of anyone.
# Deleting twice is harmless (the second answers "not found"), so deletes repeat too.
_REPEATABLE = re.compile(
    r"(get|set|edit|answer)[A-Z]\w*|delete(Webhook|MyCommands|Message|Messages)"
)
# Methods that may put a new message into a chat.
_CREATES = re.compile(r"(send|forward|copy)[A-Z]\w*")


class NeverSent(NetworkError):
    """The request never left this machine (connection refused, DNS, connect or pool timeout):
    Telegram did nothing, so the same message may be sent again."""


class MaybeSent(NetworkError):
    """The connection dropped or timed out after the request was (perhaps) written: Telegram
    may have executed it, so a message must not be sent again."""


SEND_TRIES = 3  # a message the rule below lets go again: this many sends at most


def may_send_again(error: BaseException, harmless: bool) -> bool:
    """The one rule for sending a message again after a failed send: always when it never
    left (`NeverSent`); when it may have arrived (`MaybeSent`), only if a second copy harms
    nobody (a card, a campaign list). Anything else (a timeout we cannot place) never."""
    return isinstance(error, NeverSent) or (harmless and isinstance(error, MaybeSent))


def repeatable(method: str) -> bool:
    """True for methods that may be repeated after a request that perhaps took effect."""
    return _REPEATABLE.fullmatch(method) is not None


def _reason(exc: Exception) -> str | None:
    """`unsent`, `dropped` (may have been sent) or None (not a network failure to retry)."""
    cause = exc.__cause__
    if isinstance(cause, _UNSENT):
        return "unsent"
    if isinstance(cause, _MAYBE_SENT):
        return "dropped"
    return None  # not a transport failure we know (an answer PTB rejected, a test fake's)


def _retry_after(body: bytes) -> float | None:
    try:
        value = json.loads(body).get("parameters", {}).get("retry_after")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


class ResilientRequest(BaseRequest):
    """Wraps another BaseRequest (PTB's HTTPXRequest, or a test fake): retries and metrics."""

    def __init__(
        self,
        inner: BaseRequest,
        metrics: Metrics | None = None,
        *,
        retries: int = RETRIES,
        first_wait: float = FIRST_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        newest: NewestInChat | None = None,
    ) -> None:
        self.inner = inner
        self._metrics = metrics
        self._newest = newest
        self._retries = retries
        self._first_wait = first_wait
        self._sleep = sleep
        self._rng = rng or random.Random()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    def _wait(self, attempt: int) -> float:
        base = min(LONGEST_WAIT, self._first_wait * float(2**attempt))
        return base * self._rng.uniform(0.5, 1.5)  # jitter: a burst does not retry in step

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
        api_method = method_label(url)
        attempt = 0
        while True:
            try:
                status, body = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except NetworkError as exc:  # TimedOut is a NetworkError too
                reason = _reason(exc)
                if (
                    reason is not None
                    and attempt < self._retries
                    and (reason == "unsent" or repeatable(api_method))
                ):
                    wait = self._wait(attempt)
                    attempt += 1
                    if self._metrics is not None:
                        self._metrics.api_retry(api_method, reason, wait)
                    await self._sleep(wait)
                    continue
                if self._metrics is not None:
                    code = "timeout" if isinstance(exc, TimedOut) else "network"
                    self._metrics.api_failed(api_method, code)
                cause = exc.__cause__.__class__.__name__ if exc.__cause__ else "-"
                log.warning(
                    "Bot API %s failed after %d tries (%s, %s)",
                    api_method,
                    attempt + 1,
                    exc.__class__.__name__,
                    cause,
                )
                if reason is None:
                    raise
                typed = NeverSent if reason == "unsent" else MaybeSent
                if typed is MaybeSent:
                    self._note(api_method, request_data, None)
                raise typed(exc.message) from exc.__cause__
            if self._metrics is not None:
                retry_after = _retry_after(body) if status == 429 else None
                self._metrics.api_answered(api_method, status, retry_after)
            if status >= 500 and attempt < self._retries and repeatable(api_method):
                wait = self._wait(attempt)
                attempt += 1
                if self._metrics is not None:
                    self._metrics.api_retry(api_method, "5xx", wait)
                await self._sleep(wait)
                continue
            if status == 200:
                self._note(api_method, request_data, body)
            return status, body

    def _note(self, method: str, data: RequestData | None, body: bytes | None) -> None:
        """The messages a call created in a private chat, or (no `body`: it may have arrived
        unanswered) that the chat holds one the bot never saw."""
        if self._newest is None or data is None or not _CREATES.fullmatch(method):
            return
        chat = data.parameters.get("chat_id")
        if not isinstance(chat, int | str) or not str(chat).isdigit():
            return  # a group, a channel or @username: not a flow's chat
        if body is None:
            self._newest.lost(int(chat))
            return
        try:
            result = json.loads(body).get("result")
        except ValueError:
            return
        for message in result if isinstance(result, list) else [result]:
            if isinstance(message, dict) and isinstance(message.get("message_id"), int):
                self._newest.saw(int(chat), message["message_id"])


class SpreadRequest(BaseRequest):
    """Several HTTPXRequests used as one: each call goes to the one with the fewest in flight.

    httpcore's pool does work proportional to the square of its connections on every request
    (it rescans them all, polling each idle socket), so one pool of 64 costs a burst far more
    CPU than four of 16 holding the same 64 connections. Calls beyond the total wait here in
    order, instead of in httpcore's queue, which is rescanned for each waiting request too.
    """

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
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        async with self._slots:
            index = min(range(len(self._parts)), key=self._busy.__getitem__)
            self._busy[index] += 1
            try:
                return await self._parts[index].do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            finally:
                self._busy[index] -= 1


def _httpx(connections: int) -> HTTPXRequest:
    return HTTPXRequest(
        connection_pool_size=connections,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        write_timeout=WRITE_TIMEOUT,
        pool_timeout=POOL_TIMEOUT,
        # PTB leaves keep-alive at httpx's 20: after a burst most connections would be closed
        # and opened again (a TLS handshake each) for the next one.
        httpx_kwargs={
            "limits": httpx.Limits(
                max_connections=connections, max_keepalive_connections=connections
            )
        },
    )


def telegram_requests(
    metrics: Metrics | None, newest: NewestInChat | None = None
) -> tuple[ResilientRequest, ResilientRequest]:
    """(for Bot API calls, for getUpdates).

    POOLS × CONNECTIONS_PER_POOL connections, kept alive between the calls of a burst. At 64
    calls in flight a burst is limited by Telegram (about 30 messages a second), not by us.
    """
    calls = SpreadRequest(
        [_httpx(CONNECTIONS_PER_POOL) for _ in range(POOLS)], CONNECTIONS_PER_POOL
    )
    # getUpdates: one long poll at a time; PTB adds the poll's own timeout to the read timeout.
    return ResilientRequest(calls, metrics, newest=newest), ResilientRequest(_httpx(1), metrics)
