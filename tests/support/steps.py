"""Walks a supporter through the real flow, as a person would tap it, in any language.

Buttons are found by their callback action rather than their label, so the same journey
works whatever language the user's Telegram is set to.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from bot.config import draft_lifetime
from bot.domain.campaigns import CampaignSet
from bot.telegram import jobs
from tests.support.faketg import BaseUser

if TYPE_CHECKING:
    from bot.core.services import Services
    from tests.conftest import Clock

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
    """start → Sign → name (with role and organisation on more lines) → a sign button.

    `name=None` takes the offered profile name (role and organisation then go through
    "Add role and organisation"); `payload` opens a deep link other than the campaign's plain
    one (for source attribution).
    """
    await user.start(payload or campaign)
    await press_action(user, "sign|")
    extras = [role or "-", org or "-"] if role or org else []
    if name is None:
        await press_action(user, "pname|")
        if extras:
            await press_action(user, "extras|")
            await user.send("\n".join(extras))
    else:
        await user.send("\n".join([name, *extras]))
    await press_action(user, f"ok|{campaign}|{int(public)}")
    assert any(d.startswith("1|notify|") for d in user.last.callback_data.values()), user.last
    if notify:
        await press_action(user, f"notify|{campaign}|1")


async def edit_signature(user: BaseUser, text: str) -> None:
    """/mysignature → Edit → the new name (and role, organisation) → sign with the name shown."""
    await user.command("mysignature")
    await press_action(user, f"edit|{CAMPAIGN}")
    await user.send(text)
    await press_action(user, f"ok|{CAMPAIGN}|1")


async def expire_drafts(svc: Services, clock: Clock) -> None:
    """The draft lifetime passes and the periodic clean-up runs."""
    clock.advance(draft_lifetime(svc.settings) + 1)
    await jobs.expire_drafts(SimpleNamespace(svc=svc))  # type: ignore[arg-type]


def close_campaign(svc: Services, slug: str, clock: Clock) -> None:
    """The campaign closes today, as if its folder said so and was reloaded."""
    svc.campaigns = CampaignSet(
        replace(c, is_open=False, closed_on=date.fromtimestamp(clock.now)) if c.slug == slug else c
        for c in svc.campaigns.all()
    )


def configure(svc: Services, slug: str = CAMPAIGN, **switches: Any) -> None:
    """Sets campaign.toml switches of a campaign, as a reload would."""
    svc.campaigns = CampaignSet(
        replace(c, **switches) if c.slug == slug else c for c in svc.campaigns.all()
    )


def without_review(svc: Services) -> None:
    """The campaign lists public names at once (`review_public_names = false`): for tests of
    what is listed where, not of the review."""
    configure(svc, review_public_names=False, review_explicit=True)
