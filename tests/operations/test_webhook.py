"""Webhook mode: only Telegram (who knows the secret token) can push updates to the bot.

Anyone who finds the webhook URL could otherwise forge updates: sign in someone's name or
flood the bot. Without or with a wrong X-Telegram-Bot-Api-Secret-Token the bot answers 403
and does nothing; with the right one the update is handled.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.faketg import FakeTelegram, FakeTelegramServer
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
