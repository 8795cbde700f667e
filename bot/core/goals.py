"""/goal: an admin's next goal and goal ladder for a campaign (bot.domain.goals decides which
goal is in force; `Services.progress` reads it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.goals import GoalLadder, override_allowed
from bot.storage import admin as admin_store


@dataclass(frozen=True)
class BelowCount:
    """A next goal refused: it must lie above the count."""

    count: int


async def set_next_goal(
    svc: Services, user_id: int, campaign: Campaign, goal: int | None
) -> BelowCount | None:
    """The admin's next goal (None clears it); refused, changing nothing, when not ahead of
    the count."""
    if goal is not None:
        count = (await svc.progress(campaign)).count
        if not override_allowed(goal, count):
            return BelowCount(count)
    await admin_store.set_goal_override(svc.db, campaign.slug, goal)
    await audit(svc, user_id, "goal_next", f"campaign={campaign.slug} {goal or 'off'}")
    return None


async def set_ladder(
    svc: Services, user_id: int, campaign: Campaign, ladder: GoalLadder | None
) -> None:
    """The admin's goal ladder (None restores the campaign file's)."""
    steps = ladder.steps if ladder is not None else None
    await admin_store.set_ladder(svc.db, campaign.slug, steps)
    detail = ",".join(map(str, steps)) if steps else "default"
    await audit(svc, user_id, "goal_ladder", f"campaign={campaign.slug} {detail}")
