"""Helpers shared by the admin, export and broadcast tests (no tests of its own)."""

from __future__ import annotations

from typing import Any

from bot.core.services import Services
from tests.faketg import FakeTelegram
from tests.faketg.user import FakeUser
from tests.journeys import CAMPAIGN


async def unknown_reply(user: FakeUser) -> str:
    """What the bot answers to a command it does not know."""
    await user.send("/nosuchcommand")
    return user.last.text


def messages_with(tg: FakeTelegram, chat_id: int, needle: str) -> list[dict[str, Any]]:
    """sendMessage calls to `chat_id` whose text contains `needle` and succeeded."""
    return [
        c.params
        for c in tg.calls_to("sendMessage", chat_id=chat_id)
        if c.ok and needle in str(c.params.get("text", ""))
    ]


async def signature_numbers(svc: Services, campaign: str = CAMPAIGN) -> list[int]:
    rows = await svc.db.fetchall(
        "SELECT number FROM signatures WHERE campaign = ? ORDER BY number", (campaign,)
    )
    return [int(r[0]) for r in rows]
