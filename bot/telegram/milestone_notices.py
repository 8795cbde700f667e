"""Sends a goal step reached (bot.core.milestones): one line to the announcement chat, and the
same notice, in each signer's language, queued for those who asked for updates."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.core.milestones import Milestone
from bot.telegram import broadcast
from bot.telegram.context import BotContext
from bot.telegram.views import broadcast as views

log = logging.getLogger(__name__)


async def send_milestone_notices(context: BotContext, milestone: Milestone) -> None:
    campaign, reached, goal = milestone.campaign, milestone.reached, milestone.goal
    texts = views.milestone_texts(context.svc.i18n, campaign, reached, goal)
    if milestone.announce_chat is not None:
        line = (
            texts.get(milestone.announce_language)
            or texts.get(campaign.default_language)
            or next(iter(texts.values()))
        )
        try:
            await context.bot.send_message(milestone.announce_chat, line, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("milestone announcement failed: %s", exc.__class__.__name__)
    await broadcast.announce_milestone(context.runtime.broadcaster, campaign, reached, goal, texts)
