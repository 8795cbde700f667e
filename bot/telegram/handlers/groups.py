"""Groups: a welcome card when added, compact cards on /petition, /progress and /share,
/help, and /language for the group's administrators.

Posts speak the group's language (set by its administrators), else the campaign's or the bot's
default: never the language of whoever typed, since the whole group reads them.

Nothing personal happens here: no signing flow, no names, URL buttons only, no replies to
ordinary chatter, and a per-group budget well under Telegram's 20 messages a minute.
"""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.config import SUPPORTED_LANGUAGES
from bot.core import bots, erasure
from bot.core import groups as group_settings
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.domain.goals import Progress
from bot.i18n import Translator
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.base import send
from bot.telegram.views import sharing as views
from bot.telegram.views.common import View

log = logging.getLogger(__name__)
CLEAR = "default"  # /language default: back to no group language


async def _items(
    update: Update, context: BotContext, campaigns: list[Campaign]
) -> list[tuple[Campaign, Progress, str]]:
    svc = context.svc
    chat = update.effective_chat
    assert chat is not None
    source = await group_settings.source_of(svc, chat.id, chat.title or "")
    return [
        (c, await svc.progress(c), deeplinks.link(context.bot.username, c.slug, source))
        for c in campaigns
    ]


def _wanted(context: BotContext) -> list[Campaign]:
    svc = context.svc
    if context.args:
        campaign = svc.campaign(context.args[0].lower())
        if campaign is not None:
            return [campaign]
    return svc.campaigns.shown()


async def group_translator(context: BotContext, chat_id: int, fallback: str) -> Translator:
    """The group's language, else `fallback`: never the language of whoever typed, since
    everyone in the group reads the post."""
    language = await group_settings.language_of(context.svc, chat_id)
    return context.svc.i18n.get(language or fallback)


async def card_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None or not await context.runtime.group_budget.take(chat.id):
        return
    items = await _items(update, context, _wanted(context))
    if not items:
        return
    default = context.svc.settings.default_language
    if len(items) == 1:
        campaign, progress, link = items[0]
        t = await group_translator(context, chat.id, campaign.default_language)
        list_link = deeplinks.list_link(context.bot.username, campaign.slug)
        view: View = views.compact_card(t, campaign, progress, link, list_link)
    else:
        t = await group_translator(context, chat.id, default)
        view = views.group_list(t, items)
    await send(update, context, view)


async def help_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None or not await context.runtime.group_budget.take(chat.id):
        return
    t = await group_translator(context, chat.id, context.svc.settings.default_language)
    official = bots.official_usernames(context.svc)
    await send(update, context, views.group_help(t, context.bot.username, official))


async def _is_group_admin(update: Update, context: BotContext) -> bool:
    """An administrator of this group: asked of Telegram, never remembered.

    An anonymous administrator posts as the group itself (sender_chat is the group); a post
    as any other chat (a linked channel) is nobody's administrator right here.
    """
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return False
    if message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.debug("could not check a group member: %s", exc.__class__.__name__)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def language_command(update: Update, context: BotContext) -> None:
    """/language [code|default]: shows the group's language; administrators change it."""
    chat = update.effective_chat
    if chat is None or not await context.runtime.group_budget.take(chat.id):
        return
    svc = context.svc
    default = svc.settings.default_language
    current = await group_settings.language_of(svc, chat.id)
    wanted = context.args[0].lower() if context.args else ""
    if wanted != CLEAR and wanted not in SUPPORTED_LANGUAGES:
        t = svc.i18n.get(current or default)
        await send(update, context, views.group_language(t, current))
        return
    if not await _is_group_admin(update, context):
        # At most one refusal a minute: a member repeating it must not fill the group.
        if await context.runtime.group_refusals.take(chat.id):
            t = svc.i18n.get(current or default)
            await send(update, context, views.group_language_refused(t))
        return
    chosen = None if wanted == CLEAR else wanted
    await group_settings.choose_language(svc, chat.id, chosen)
    await send(update, context, views.group_language_set(svc.i18n.get(chosen or default), chosen))


def _joined(change: ChatMemberUpdated) -> bool:
    gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    present = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    return change.old_chat_member.status in gone and change.new_chat_member.status in present


def _removed(change: ChatMemberUpdated) -> bool:
    return change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def on_membership(update: Update, context: BotContext) -> None:
    """The bot added to a group posts a welcome; removed, it forgets the group's settings."""
    change = update.my_chat_member
    chat = update.effective_chat
    if change is None or chat is None or chat.type not in ("group", "supergroup"):
        return
    if _removed(change):
        await erasure.forget_group(context.svc, chat.id)
        return
    if not _joined(change) or not await context.runtime.group_budget.take(chat.id):
        return
    t = await group_translator(context, chat.id, context.svc.settings.default_language)
    items = await _items(update, context, context.svc.campaigns.open())
    if items:
        await send(update, context, views.welcome(t, items))


async def on_migrated(update: Update, context: BotContext) -> None:
    """Telegram's notices that a group is now a supergroup with a new id: one in the old chat
    (migrate_to), one in the new (migrate_from); whichever comes first moves the settings."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        await group_settings.moved(context.svc, message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        await group_settings.moved(context.svc, message.migrate_from_chat_id, message.chat_id)


def register(app: BotApp) -> None:
    # New messages only: an edited command must not post the card again.
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    # CommandHandler takes /petition and /petition@<this bot>, never /petition@<another bot>.
    app.add_handler(
        CommandHandler(["petition", "progress", "share", "start", "sign"], card_command, groups)
    )
    app.add_handler(CommandHandler("help", help_command, groups))
    app.add_handler(CommandHandler("language", language_command, groups))
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrated))
