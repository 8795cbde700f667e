"""Goal steps reached: announced once, to the announcement chat and to opted-in signers."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.domain.campaigns import Campaign
from bot.domain.goals import GoalLadder
from bot.storage import groups as group_store
from bot.storage import signatures as signature_store
from bot.telegram import broadcast
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def after_signature(
    context: BotContext, campaign: Campaign, count: int, ladder: GoalLadder
) -> None:
    """Called with the count this signature produced; acts only when it lands on a goal step.

    The counter moves by one per signature, so every step is landed on exactly once on the way
    up: the other signatures cost no database work here. The claim keeps a step that is
    reached again (after withdrawals) from being announced twice. `ladder` is the one in force
    (Progress.ladder), so the next goal named is the one the card shows.
    """
    svc = context.svc
    if ladder.reached(count) != count:
        return
    reached = count
    if not await signature_store.claim_milestone(svc.db, campaign.slug, reached):
        return
    log.info("campaign %s reached %d signatures", campaign.slug, reached)
    goal = ladder.next_above(reached)
    texts = broadcast.milestone_texts(svc, campaign, reached, goal)
    announce = svc.settings.announce_chat_id
    if announce is not None:
        # A group speaks its own language (/language there), else the campaign's.
        language = await group_store.language(svc.db, announce) or campaign.default_language
        line = (
            texts.get(language)
            or texts.get(campaign.default_language)
            or next(iter(texts.values()))
        )
        try:
            await context.bot.send_message(announce, line, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("milestone announcement failed: %s", exc.__class__.__name__)
    # The same notice, in each signer's language, to those who asked for updates.
    await broadcast.announce_milestone(context.runtime.broadcaster, campaign, reached, goal, texts)
