"""Webhook mode: only Telegram (who knows the secret token) can push updates to the bot.

Anyone who finds the webhook URL could otherwise forge updates: sign in someone's name or
flood the bot. Without or with a wrong X-Telegram-Bot-Api-Secret-Token the bot answers 403
and does nothing; with the right one the update is handled.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.telegram.app import build_fleet
from bot.telegram.context import BotContext
from bot.telegram.health import Health, keep_alive
from tests.conftest import Clock
from tests.support.faketg import FakeTelegram, FakeTelegramServer, Switchboard
from tests.support.faketg.html import u16len
from tests.support.harness import spawn_bot, stop_bot

SECRET = "s3cret-Token_for-tests-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_update(fake: FakeTelegram, user: dict[str, Any]) -> dict[str, Any]:
    chat = fake.chats[user["id"]]
    chat.started = True
    entities = [{"offset": 0, "length": u16len("/start"), "type": "bot_command"}]
    msg = fake.add_message(chat, user, {"text": "/start", "entities": entities})
    return {"update_id": fake.next_update_id(), "message": msg}


async def wait_for(condition: Any, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def test_webhook_rejects_missing_or_wrong_secret(env: dict[str, str], tmp_path: Path) -> None:
    fake = FakeTelegram()
    port = free_port()
    public = "https://petition.example.org/telegram"  # what Telegram is told (fake wants https)
    url = f"http://127.0.0.1:{port}/telegram"  # where the bot listens behind the proxy
    log_path = tmp_path / "bot.log"
    with FakeTelegramServer(fake) as srv:
        extra = {
            "WEBHOOK_URL": public,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_LISTEN": "127.0.0.1",
        }
        proc = spawn_bot({**env, **extra}, srv.base_url, log_path)
        try:
            await wait_for(lambda: fake.webhook is not None)
            assert fake.webhook is not None and fake.webhook.get("url") == public
            assert fake.webhook.get("secret_token") == SECRET
            intruder = fake.new_user("Intruder")
            victim = fake.new_user("Real")
            async with httpx.AsyncClient(timeout=10) as client:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-xxxxxxxx"}):
                    r = await client.post(url, json=start_update(fake, intruder), headers=headers)
                    assert r.status_code == 403, (headers, r.status_code)
                await asyncio.sleep(0.5)
                assert fake.calls_to("sendMessage", intruder["id"]) == []
                good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                r = await client.post(url, json=start_update(fake, victim), headers=good)
                assert r.status_code == 200
            await wait_for(lambda: fake.calls_to("sendMessage", victim["id"]) != [])
        finally:
            stop_bot(proc)
    assert fake.calls_to("sendMessage", intruder["id"]) == []
    fake.assert_no_violations()
    assert proc.returncode == 0, log_path.read_text()


async def test_one_listener_serves_each_bot_on_its_own_path(
    settings: Settings, clock: Clock
) -> None:
    """Reserve bots in webhook mode: one listener, each bot on WEBHOOK_URL/<its id>, each
    path checking the secret header; an update reaches the bot whose path it came to."""
    board = Switchboard(2)
    port = free_port()
    settings = replace(
        settings,
        bot_tokens=board.tokens,
        webhook_url="https://petition.example.org/telegram",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    fleet = build_fleet(settings, request=board.request())
    fleet.services.clock = clock
    await fleet.open(serve=True)
    try:
        first, second = board.bots
        assert first.webhook is not None and second.webhook is not None
        assert first.webhook["url"] == "https://petition.example.org/telegram/7100000001"
        assert second.webhook["url"] == "https://petition.example.org/telegram/7200000002"
        assert first.webhook["secret_token"] == second.webhook["secret_token"] == SECRET
        base = f"http://127.0.0.1:{port}/telegram"
        olena, intruder = board.person("Olena"), board.person("Intruder")
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with httpx.AsyncClient(timeout=10) as client:
            for bot, fake in ((7100000001, first), (7200000002, second)):
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-xxxxxxxx"}):
                    update = start_update(fake, intruder)
                    r = await client.post(f"{base}/{bot}", json=update, headers=headers)
                    assert r.status_code == 403, (bot, headers)
            for path in ("", "/7300000003"):  # no bot there: not found
                r = await client.post(base + path, json=start_update(first, olena), headers=good)
                assert r.status_code == 404, path
            r = await client.post(
                f"{base}/7200000002", json=start_update(second, olena), headers=good
            )
            assert r.status_code == 200
        await wait_for(lambda: second.calls_to("sendMessage", olena["id"]) != [])
        await asyncio.sleep(0.3)
        assert first.calls_to("sendMessage", olena["id"]) == []  # only the bot it came to
        assert first.calls_to("sendMessage", intruder["id"]) == []
        assert second.calls_to("sendMessage", intruder["id"]) == []
    finally:
        await fleet.close()
    board.assert_no_violations()


async def test_a_webhook_someone_else_set_with_the_token_is_found_by_the_keep_alive(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A leaked token used to point a webhook bot's updates elsewhere: the bot would hear
    nothing; its keep-alive (getWebhookInfo while idle) finds it, logs it once and /healthz
    names the bot."""
    board = Switchboard(2)
    settings = replace(
        settings,
        bot_tokens=board.tokens,
        webhook_url="https://petition.example.org/telegram",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
    )
    fleet = build_fleet(settings, request=board.request())
    fleet.services.clock = clock
    await fleet.open(serve=True)
    try:
        board.bots[0].webhook = {"url": "https://attacker.example/hook"}
        with caplog.at_level(logging.ERROR, logger="bot"):
            for _ in range(2):
                for app in fleet.apps:
                    app.runtime.link.last_success = None  # idle: the keep-alive calls
                    await keep_alive(BotContext(app))
        lines = [r.getMessage() for r in caplog.records if "another process" in r.getMessage()]
        assert lines == [
            "@Petition1Bot (7100000001): another process takes this bot's updates (its webhook "
            "now points elsewhere): a second copy of the bot, or a leaked token; if it is not "
            "yours, revoke the token in @BotFather"
        ]
        healthy, checks = await Health().check(fleet)
        assert healthy and "@Petition1Bot (7100000001): another process" in checks["bots"]
        assert "Petition2Bot" not in checks["bots"]
    finally:
        await fleet.close()
    board.assert_no_violations()
