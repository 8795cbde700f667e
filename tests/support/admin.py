"""Helpers shared by the admin, export and broadcast tests (no tests of its own)."""

from __future__ import annotations

from typing import Any

from bot.core.services import Services
from bot.telegram import broadcast
from bot.telegram.views.common import View
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN


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


NEWS = "Big news: the hearing is on Monday"


async def write_news(admin: FakeUser) -> dict[str, Any]:
    """The admin types the message to send (with bold text); returns it as Telegram stores it."""
    bold = {"offset": 0, "length": 8, "type": "bold"}
    await admin._send_fields({"text": NEWS, "entities": [bold]}, None, False)
    return next(m.raw for m in reversed(admin.all_messages) if m.text == NEWS)


async def broadcast_reply(admin: FakeUser, source: dict[str, Any], command: str) -> None:
    """`command` sent as a reply to `source`, the way a Telegram client sends a reply."""
    cmd = command.split()[0]
    fields = {
        "text": command,
        "entities": [{"offset": 0, "length": len(cmd), "type": "bot_command"}],
        "reply_to_message": {k: v for k, v in source.items() if k != "reply_to_message"},
    }
    await admin._send_fields(fields, None, True)


def stop_after(runner: broadcast.Broadcaster, messages: int) -> None:
    """The process goes down right after Telegram accepted the `messages`-th message."""
    real_deliver = runner._deliver
    delivered = 0

    async def deliver(app: Any, chat_id: int, message: View) -> tuple[bool, bool]:
        nonlocal delivered
        result = await real_deliver(app, chat_id, message)
        delivered += 1
        if delivered == messages:
            runner.request_stop()
        return result

    runner._deliver = deliver  # type: ignore[method-assign]


async def confirmed_broadcast(admin: FakeUser) -> None:
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    await admin.press("Confirm")
