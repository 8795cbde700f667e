"""Walks a supporter through the real flow, as a person would tap it, in their language."""

from __future__ import annotations

from bot.i18n import I18n
from tests.faketg import BaseUser

CAMPAIGN = "medical-access"
_I18N = I18n()


async def sign(
    user: BaseUser,
    name: str | None = None,
    role: str | None = None,
    org: str | None = None,
    public: bool = True,
    campaign: str = CAMPAIGN,
) -> None:
    """start → Sign → name → role/skip → org/skip → public/anonymous → Confirm."""
    t = _I18N.get(_I18N.resolve(None, user.user.get("language_code")))
    await user.start(campaign)
    await user.press(t._("Sign"))
    if name is None:
        await user.press(t._("Use “{name}”").split("{name}")[0])
    else:
        await user.send(name)
    if role is None:
        await user.press(t._("Skip"))
    else:
        await user.send(role)
    if org is None:
        await user.press(t._("Skip"))
    else:
        await user.send(org)
    await user.press(t._("Show my name") if public else t._("Count me anonymously"))
    await user.press(t._("Confirm"))
