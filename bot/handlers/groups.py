"""Groups: a welcome card when added, compact cards on /petition, /progress and /share.

Nothing personal happens here: no signing flow, no names, URL buttons only, no replies to
ordinary chatter, and a per-group budget well under Telegram's 20 messages a minute.
"""

from __future__ import annotations

import time
from collections import deque

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, CommandHandler, filters

from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.handlers.base import send, translator
from bot.services import BotApp, BotContext
from bot.storage import sources as source_store
from bot.views import sharing as views
from bot.views.campaign import Progress
from bot.views.common import View

GROUP_BUDGET = 6  # cards per group per minute; Telegram allows 20 messages
_WINDOW = 60.0


class GroupBudget:
    """Drops group commands beyond the budget instead of queueing them."""

    def __init__(self, per_minute: int = GROUP_BUDGET) -> None:
        self.per_minute = per_minute
        self._sent: dict[int, deque[float]] = {}

    def take(self, chat_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        sent = self._sent.setdefault(chat_id, deque())
        while sent and now - sent[0] > _WINDOW:
            sent.popleft()
        if len(sent) >= self.per_minute:
            return False
        sent.append(now)
        if len(self._sent) > 50_000:
            self._sent.clear()
        return True


async def _items(
    update: Update, context: BotContext, campaigns: list[Campaign]
) -> list[tuple[Campaign, Progress, str]]:
    svc = context.svc
    chat = update.effective_chat
    assert chat is not None
    source = await source_store.for_group(svc.db, chat.id, chat.title or "", svc.now())
    return [
        (c, await svc.progress(c), deeplinks.link(svc.bot_username, c.slug, source))
        for c in campaigns
    ]


def _wanted(context: BotContext) -> list[Campaign]:
    svc = context.svc
    if context.args:
        campaign = svc.campaign(context.args[0].lower())
        if campaign is not None:
            return [campaign]
    return svc.campaigns.open() or svc.campaigns.all()


async def card_command(update: Update, context: BotContext) -> None:
    budget: GroupBudget = context.application.bot_data["group_budget"]
    chat = update.effective_chat
    if chat is None or not budget.take(chat.id):
        return
    t = await translator(update, context)
    items = await _items(update, context, _wanted(context))
    if len(items) == 1:
        campaign, progress, link = items[0]
        view: View = views.compact_card(t, campaign, progress, link)
    else:
        view = views.group_list(t, items)
    await send(update, context, view)


def _joined(change: ChatMemberUpdated) -> bool:
    gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    present = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    return change.old_chat_member.status in gone and change.new_chat_member.status in present


async def on_added(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    chat = update.effective_chat
    if change is None or chat is None or chat.type not in ("group", "supergroup"):
        return
    if not _joined(change):
        return
    budget: GroupBudget = context.application.bot_data["group_budget"]
    if not budget.take(chat.id):
        return
    t = await translator(update, context)
    items = await _items(update, context, context.svc.campaigns.open())
    if items:
        await send(update, context, views.welcome(t, items))


def register(app: BotApp) -> None:
    groups = filters.ChatType.GROUPS
    app.bot_data["group_budget"] = GroupBudget()
    app.add_handler(
        CommandHandler(["petition", "progress", "share", "start", "sign"], card_command, groups)
    )
    app.add_handler(ChatMemberHandler(on_added, ChatMemberHandler.MY_CHAT_MEMBER))
