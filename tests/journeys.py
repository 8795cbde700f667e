"""Walks a supporter through the real flow, as a person would tap it."""

from __future__ import annotations

from tests.faketg import FakeUser

CAMPAIGN = "medical-access"


async def sign(
    user: FakeUser,
    name: str | None = None,
    role: str | None = None,
    org: str | None = None,
    public: bool = True,
    campaign: str = CAMPAIGN,
) -> None:
    """start → Sign → name → role/skip → org/skip → public/anonymous → Confirm."""
    await user.start(campaign)
    await user.press("Sign")
    if name is None:
        await user.press("Use")
    else:
        await user.send(name)
    if role is None:
        await user.press("Skip")
    else:
        await user.send(role)
    if org is None:
        await user.press("Skip")
    else:
        await user.send(org)
    await user.press("Show my name" if public else "Count me anonymously")
    await user.press("Confirm")
