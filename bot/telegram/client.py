"""Over the Bot API transport (bot.telegram.transport): repeats what is safe to, and counts.

A burst of hundreds of supporters against a slow Telegram used to end, for some, in "Sorry,
something went wrong" after a single connection error. Two rules fix that without ever
sending a supporter the same message twice:

- A request that certainly never left (no connection could be made, or no pooled connection
  came free in time) is repeated with backoff, whatever the method.
- A request that may have reached Telegram (the connection dropped or timed out after it
  was written) is repeated only for methods whose repetition cannot duplicate a message:
  reads, edits, answers to queries, settings. A `send…`, `forward…` or `copy…` is not: its
  failure goes to the handler, as before.

The transport places each failure as one of two typed errors, and the client raises it when
it gives up, so a caller that wants to repeat a send itself (the broadcast runner) can tell
them apart: `NeverSent` (nothing reached Telegram: sending again cannot duplicate) and
`MaybeSent` (Telegram may have executed it: never send it again). Both are PTB NetworkErrors,
so every other caller handles them as before.

Each repeat happens inside the one call its handler is waiting on, so one person's updates
still run in order. Every message a call creates in a private chat is noted
(bot.telegram.newest), and a chat whose send may have arrived unseen is forgotten there.
429s are left to PTB's AIORateLimiter (it waits retry_after and retries); they are counted
here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.metrics import Metrics, method_label
from bot.telegram.newest import NewestInChat

if TYPE_CHECKING:
    # BaseRequest.do_request's annotation; PTB exports it under no public name.
    from telegram._utils.types import ODVInput

    from bot.telegram.links import BotLink

log = logging.getLogger(__name__)

RETRIES = 4  # waits of about 0.25, 0.5, 1 and 2 s: a few seconds, then the handler decides
FIRST_WAIT = 0.25
LONGEST_WAIT = 4.0

# Methods whose repetition cannot put a second message in front of anyone.
# Deleting twice is harmless (the second answers "not found"), so deletes repeat too.
_REPEATABLE = re.compile(
    r"(get|set|edit|answer)[A-Z]\w*|delete(Webhook|MyCommands|Message|Messages)"
)
# Methods that may put a new message into a chat.
_CREATES = re.compile(r"(send|forward|copy)[A-Z]\w*")


class _Failed(NetworkError):
    """A transport failure placed by the transport (bot.telegram.transport)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class NeverSent(_Failed):
    """The request never left this machine (connection refused, DNS, connect or pool timeout):
    Telegram did nothing, so the same message may be sent again."""


class MaybeSent(_Failed):
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
    if isinstance(exc, NeverSent):
        return "unsent"
    if isinstance(exc, MaybeSent):
        return "dropped"
    return None  # not a transport failure we know (an answer PTB rejected, a test fake's)


def _retry_after(body: bytes) -> float | None:
    try:
        value = json.loads(body).get("parameters", {}).get("retry_after")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


class ResilientRequest(BaseRequest):
    """Wraps another BaseRequest (bot.telegram.transport's, or a test fake): retries and
    metrics."""

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
        link: BotLink | None = None,
    ) -> None:
        self.inner = inner
        self._metrics = metrics
        self._link = link  # the bot's standing: every answer, a 401 above all
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
                timed_out = isinstance(exc, TimedOut) or getattr(exc, "timed_out", False)
                if self._metrics is not None:
                    self._metrics.api_failed(api_method, "timeout" if timed_out else "network")
                # Our transport's messages are fixed words; another's might quote the URL.
                detail = exc.message if reason is not None else exc.__class__.__name__
                log.warning(
                    "Bot API %s failed after %d tries (%s)", api_method, attempt + 1, detail
                )
                if isinstance(exc, MaybeSent):
                    self._note(api_method, request_data, None)
                raise
            if self._metrics is not None:
                retry_after = _retry_after(body) if status == 429 else None
                self._metrics.api_answered(api_method, status, retry_after)
            if self._link is not None:
                self._link.answered(status, api_method)
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
