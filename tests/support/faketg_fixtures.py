"""Shared pieces of the fake Telegram's own tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.faketg import FakeTelegram, Upload

TOKEN = "123456:TEST-token-for-the-fake-telegram-api"


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


def started_user(fake: FakeTelegram) -> int:
    """A user who has opened the chat with the bot (so the bot may write)."""
    uid: int = fake.new_user("Alice")["id"]
    fake.chats[uid].started = True
    return uid


def call(fake: FakeTelegram, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    return fake.execute(method, params)


def png_bytes() -> bytes:
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000020000000208060000"
        "00f478d4fa0000000d49444154789c63f8cfc0f01f0007fe02fe7d0d4c9c0000000049454e44ae426082"
    )


def upload(data: bytes, name: str = "f.bin", mime: str = "application/octet-stream") -> Upload:
    return Upload(data, name, mime)


def png_upload() -> Upload:
    return upload(png_bytes(), "qr.png", "image/png")
