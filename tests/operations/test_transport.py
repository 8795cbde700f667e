"""The production Bot API transport against the fake Telegram served over HTTP: what it repeats,
how long it waits, what it counts, and that no failure carries the token.

Built the way production builds it (bot.telegram.transport.telegram_requests), with short
timeouts so that a slow fake makes it give up within a second.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.telegram.client import MaybeSent, NeverSent, ResilientRequest
from bot.telegram.metrics import Metrics
from bot.telegram.transport import AiohttpRequest
from tests.support.faketg import FakeTelegram, FakeTelegramServer

TOKEN = "1234567:AAtransport-token-for-the-fake-xyz"
SECRET_HALF = TOKEN.split(":")[1]


@pytest.fixture
def served() -> Iterator[tuple[FakeTelegram, FakeTelegramServer]]:
    fake = FakeTelegram()
    with FakeTelegramServer(fake) as server:
        yield fake, server


def _chat(fake: FakeTelegram) -> int:
    chat: int = fake.new_user("Olga")["id"]
    fake.chats[chat].started = True
    return chat


def _bot(server: FakeTelegramServer, request: ResilientRequest) -> Bot:
    return Bot(TOKEN, server.base_url, request=request, get_updates_request=request)


def _count(metrics: Metrics, family: str, **labels: str) -> float:
    return sum(
        s.value
        for f in metrics.registry.collect()
        if f.name == family
        for s in f.samples
        if s.name.endswith("_total") and s.labels == labels
    )


def _everything_said(error: BaseException) -> str:
    """The error as any log line, traceback or inspection of its chain could show it."""
    parts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def _capture_as_production(caplog: pytest.LogCaptureFixture) -> None:
    """Every record at the levels production lets through (bot/ops/logs.py caps the libraries
    at WARNING: PTB logs its URLs below that), before the redaction that would hide a token."""
    caplog.set_level(logging.DEBUG)
    for library in ("telegram", "aiohttp", "asyncio"):
        caplog.set_level(logging.WARNING, logger=library)


async def _no_sleep(seconds: float) -> None:
    pass


async def test_a_call_that_found_no_free_connection_in_time_is_never_sent_and_names_no_token(
    served: tuple[FakeTelegram, FakeTelegramServer], caplog: pytest.LogCaptureFixture
) -> None:
    """One connection, held by a slow call: the next call gives up waiting for it. Nothing
    left the machine, so the broadcast runner may send it again; the library's own message
    for this failure quotes the URL, token and all."""
    fake, server = served
    chat = _chat(fake)
    metrics = Metrics()
    inner = AiohttpRequest(1, connect_timeout=0.1, pool_timeout=0.1)
    request = ResilientRequest(inner, metrics, retries=0)
    _capture_as_production(caplog)
    fake.latency = 0.6
    async with _bot(server, request) as bot:
        slow = asyncio.create_task(bot.get_chat(chat))
        await asyncio.sleep(0.05)
        with pytest.raises(NeverSent) as raised:
            await bot.send_message(chat, "waits for a connection")
        await slow
    assert raised.value.timed_out
    assert not fake.calls_to("sendMessage")
    assert _count(metrics, "petition_telegram_errors", method="sendMessage", code="timeout") == 1
    said = _everything_said(raised.value) + caplog.text
    assert "sendMessage failed" in caplog.text
    assert SECRET_HALF not in said


async def test_a_send_whose_answer_timed_out_is_not_repeated_but_an_edit_is(
    served: tuple[FakeTelegram, FakeTelegramServer], caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram may have executed a call whose answer never came: a send is not made again
    (a second message), an edit is (a second edit changes nothing)."""
    fake, server = served
    chat = _chat(fake)
    metrics = Metrics()
    request = ResilientRequest(AiohttpRequest(read_timeout=0.15), metrics, sleep=_no_sleep)
    _capture_as_production(caplog)
    async with _bot(server, request) as bot:
        sent = await bot.send_message(chat, "first")
        fake.latency = 0.4
        with pytest.raises(MaybeSent) as send_failed:
            await bot.send_message(chat, "second")
        with pytest.raises(MaybeSent) as edit_failed:
            await bot.edit_message_text("edited", chat, sent.message_id)
        await asyncio.sleep(0.5)  # the fake finishes what it was given
    assert send_failed.value.timed_out and edit_failed.value.timed_out
    assert len(fake.calls_to("sendMessage")) == 2  # the first, and the second once
    assert len(fake.calls_to("editMessageText")) == 5  # the edit and its four repeats
    assert _count(metrics, "petition_telegram_retries", method="sendMessage", reason="dropped") == 0
    assert (
        _count(metrics, "petition_telegram_retries", method="editMessageText", reason="dropped")
        == 4
    )
    assert _count(metrics, "petition_telegram_errors", method="sendMessage", code="timeout") == 1
    assert _count(metrics, "petition_telegram_calls", method="sendMessage") == 1
    said = _everything_said(send_failed.value) + _everything_said(edit_failed.value)
    assert SECRET_HALF not in said + caplog.text


async def test_a_refused_connection_is_repeated_and_names_no_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listens: the call never left, so even a send is tried again, then given up
    as `NeverSent`."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # free, and nothing listens once this closes
    metrics = Metrics()
    request = ResilientRequest(AiohttpRequest(), metrics, sleep=_no_sleep)
    _capture_as_production(caplog)
    bot = Bot(TOKEN, f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NeverSent) as raised:
            await bot.send_message(1, "nobody listens")
    finally:
        await request.shutdown()
    assert not raised.value.timed_out
    assert _count(metrics, "petition_telegram_retries", method="sendMessage", reason="unsent") == 4
    assert _count(metrics, "petition_telegram_errors", method="sendMessage", code="network") == 1
    assert SECRET_HALF not in _everything_said(raised.value) + caplog.text


async def test_a_burst_larger_than_the_pool_waits_for_connections_instead_of_failing(
    served: tuple[FakeTelegram, FakeTelegramServer],
) -> None:
    """Twice as many calls in flight as connections, against a slow Telegram: every one is
    answered, each through one of the pool's kept-alive connections."""
    fake, server = served
    chat = _chat(fake)
    metrics = Metrics()
    request = ResilientRequest(AiohttpRequest(8), metrics, sleep=_no_sleep)
    fake.latency = 0.1
    async with _bot(server, request) as bot:
        results: list[Any] = await asyncio.gather(*(bot.get_chat(chat) for _ in range(16)))
    assert all(r.id == chat for r in results)
    assert _count(metrics, "petition_telegram_calls", method="getChat") == 16
    assert _count(metrics, "petition_telegram_retries", method="getChat", reason="unsent") == 0


async def test_a_proxy_it_cannot_use_is_refused_never_bypassed(
    served: tuple[FakeTelegram, FakeTelegramServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator may route the bot through a proxy to hide where the server connects: one
    named that aiohttp cannot use stops the call instead of connecting directly."""
    fake, server = served
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:9")
    request = ResilientRequest(AiohttpRequest(), Metrics(), sleep=_no_sleep)
    bot = _bot(server, request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="proxy"):
            await bot.get_me()
    finally:
        await request.shutdown()
    assert not fake.calls
