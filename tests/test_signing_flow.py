"""The signing state machine: which tap is accepted at which step, and compare-and-set drafts."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.services import Services
from tests.conftest import Clock
from tests.faketg import FakeUser
from tests.journeys import CAMPAIGN


async def test_a_draft_past_its_lifetime_does_not_block_a_new_signing(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    """The expiry job runs every 10 minutes; until it does, an old draft is no draft."""
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Old Draft Name")
    clock.advance(svc.settings.draft_ttl_hours * 3600 + 1)
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Fresh Draft Name")
    assert "Fresh Draft Name" in u.last.text  # the preview, not "send /start"
    stored = await svc.db.fetchall("SELECT name, step FROM drafts")
    assert stored == [("Fresh Draft Name", "preview")]
