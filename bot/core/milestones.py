"""Goal steps reached: each is claimed once, whoever signs at that moment.

The sending (to the announcement chat, and to opted-in signers) is bot.telegram's; this
decides whether there is anything to send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core import groups
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.goals import GoalLadder
from bot.storage import signatures as signature_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Milestone:
    """A goal step just reached, the next goal, and where and in which language to say it."""

    campaign: Campaign
    reached: int
    goal: int
    announce_chat: int | None
    announce_language: str  # the announcement group's language, else the campaign's


async def reached(
    svc: Services, campaign: Campaign, count: int, ladder: GoalLadder, announced: int
) -> Milestone | None:
    """Called with the count a new signature produced and the goal last announced, both read
    in its transaction; a Milestone only when it passed a goal step or an admin's /goal next
    not yet announced (GoalLadder.passed).

    Most signatures pass none, and cost no database work here. The claim makes one signer of
    those that passed it at once announce it, and keeps a step that is reached again (after
    withdrawals) from being announced twice. `ladder` is the one in force (Progress.ladder),
    so the next goal named is the one the card shows.
    """
    goal = ladder.passed(count, announced)
    if goal is None or not await signature_store.claim_milestone(svc.db, campaign.slug, goal):
        return None
    log.info("campaign %s reached %d signatures", campaign.slug, goal)
    announce = svc.settings.announce_chat_id
    # A group speaks its own language (/language there), else the campaign's.
    language = await groups.language_of(svc, announce) if announce is not None else None
    return Milestone(
        campaign,
        goal,
        ladder.next_above(count),
        announce,
        language or campaign.default_language,
    )
