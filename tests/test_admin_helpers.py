"""Helpers shared by the admin, export and broadcast tests (no tests of its own)."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from tests.faketg import FakeTelegram
from tests.faketg.user import FakeUser

CAMPAIGN = "medical-access"


async def press_action(user: FakeUser, prefix: str) -> None:
    """Press the button whose callback data starts with `1|prefix` (works in any language)."""
    message = next(m for m in reversed(user.messages) if m.buttons)
    for data in message.callback_data.values():
        if data.startswith(f"1|{prefix}"):
            await user.press_data(data, message)
            return
    raise AssertionError(f"no {prefix!r} button on {message!r}")


async def sign(
    user: FakeUser,
    name: str | None = None,
    *,
    public: bool = True,
    role: str | None = None,
    notify: bool = False,
    campaign: str = CAMPAIGN,
) -> None:
    """The real signing flow, as a person taps through it (in whatever language they use)."""
    await user.start(campaign)
    await press_action(user, "sign|")
    if name is None:
        await press_action(user, "pname|")
    else:
        await user.send(name)
    if role is None:
        await press_action(user, "skip|")
    else:
        await user.send(role)
    await press_action(user, "skip|")
    await press_action(user, f"pub|{campaign}|{int(public)}")
    await press_action(user, "ok|")
    assert any(d.startswith("1|notify|") for d in user.last.callback_data.values()), user.last
    if notify:
        await press_action(user, f"notify|{campaign}|1")


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
