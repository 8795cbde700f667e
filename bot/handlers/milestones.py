"""Goal steps reached: announced once, to the announcement chat and to opted-in signers."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import broadcast
from bot.domain import goals
from bot.domain.campaigns import Campaign
from bot.services import BotContext
from bot.storage import signatures as signature_store
from bot.views.common import esc

log = logging.getLogger(__name__)


async def after_signature(
    context: BotContext, campaign: Campaign, count: int, ladder: tuple[int, ...]
) -> None:
    """Called with the count this signature produced; acts only when it lands on a goal step.

    The counter moves by one per signature, so every step is landed on exactly once on the way
    up: the other signatures cost no database work here. The claim keeps a step that is
    reached again (after withdrawals) from being announced twice.
    """
    svc = context.svc
    if goals.previous_goal(count, ladder) != count:
        return
    reached = count
    if not await signature_store.claim_milestone(svc.db, campaign.slug, reached):
        return
    log.info("campaign %s reached %d signatures", campaign.slug, reached)
    announce = svc.settings.announce_chat_id
    if announce is not None:
        t = svc.i18n.get(campaign.default_language)
        text, _ = campaign.text_for(campaign.default_language)
        line = t.ngettext(
            "🎉 “{title}” has reached {count} signature! Next goal: {goal}.",
            "🎉 “{title}” has reached {count} signatures! Next goal: {goal}.",
            reached,
        ).format(
            title=esc(text.title),
            count=t.number(reached),
            goal=t.number(goals.next_goal(count, ladder)),
        )
        try:
            await context.bot.send_message(announce, line, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("milestone announcement failed: %s", exc.__class__.__name__)
    # The same notice, in each signer's language, to those who asked for updates.
    await broadcast.announce_milestone(
        context.application, campaign, reached, goals.next_goal(count, ladder)
    )
