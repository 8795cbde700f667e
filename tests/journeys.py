"""Walks a supporter through the real flow, as a person would tap it, in any language.

Buttons are found by their callback action rather than their label, so the same journey
works whatever language the user's Telegram is set to.
"""

from __future__ import annotations

from tests.faketg import BaseUser

CAMPAIGN = "medical-access"


async def press_action(user: BaseUser, prefix: str) -> None:
    """Press the button whose callback data starts with `1|prefix` on the newest keyboard."""
    message = next(m for m in reversed(user.messages) if m.buttons)
    for data in message.callback_data.values():
        if data.startswith(f"1|{prefix}"):
            await user.press_data(data, message)
            return
    raise AssertionError(f"no {prefix!r} button on {message!r}")


async def sign(
    user: BaseUser,
    name: str | None = None,
    role: str | None = None,
    org: str | None = None,
    public: bool = True,
    campaign: str = CAMPAIGN,
    *,
    notify: bool = False,
    payload: str | None = None,
) -> None:
    """start → Sign → name → role/skip → org/skip → public/anonymous → Confirm.

    `name=None` takes the offered profile name; `payload` opens a deep link other than the
    campaign's plain one (for source attribution).
    """
    await user.start(payload or campaign)
    await press_action(user, "sign|")
    if name is None:
        await press_action(user, "pname|")
    else:
        await user.send(name)
    for value in (role, org):
        if value is None:
            await press_action(user, "skip|")
        else:
            await user.send(value)
    await press_action(user, f"pub|{campaign}|{int(public)}")
    await press_action(user, "ok|")
    assert any(d.startswith("1|notify|") for d in user.last.callback_data.values()), user.last
    if notify:
        await press_action(user, f"notify|{campaign}|1")
