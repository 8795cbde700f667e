"""Who signed: the public signatory list, /signatories and the card's "👥 Who signed" button.

In a private chat the list pages through Telegram's message limits; in a group only a button
to the private chat is posted, so no name is ever put into a group.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core.signatories import page_of
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import reading
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator
from bot.telegram.handlers.groups import group_translator
from bot.telegram.handlers.reading import campaign_list_view, current_campaign
from bot.telegram.views import signatories as views
from bot.telegram.views.campaign import Opens
from bot.telegram.views.common import View


async def list_view(
    update: Update,
    context: BotContext,
    campaign: Campaign,
    *,
    after: int = 0,
    upto: int | None = None,
) -> View:
    t = await translator(update, context)
    if not campaign.signatories:
        return views.list_off(t, campaign)
    page = await page_of(context.svc, campaign, views.FETCH, views.fitting, after=after, upto=upto)
    return views.list_page(t, campaign, page)


async def signatories_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    campaign = svc.campaign(context.args[0].lower()) if context.args else None
    campaign = campaign or await current_campaign(update, context)
    if campaign is None:
        opens = Opens.SIGNATORIES
        await send(update, context, await campaign_list_view(update, context, opens=opens))
        return
    await send(update, context, await list_view(update, context, campaign))


async def on_page(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    answer(update, context)
    if campaign is None:
        await show(update, context, await campaign_list_view(update, context))
        return
    position = cb.arg_int(1)
    if cb.action == "whob":
        view = await list_view(update, context, campaign, upto=position)
    else:
        view = await list_view(update, context, campaign, after=position)
    await show(update, context, view)


async def list_link(update: Update, context: BotContext) -> None:
    """/start <slug>__list (a group's "👥 Who signed"): the list; any other payload, the
    ordinary /start, which says what it does not know."""
    slug = deeplinks.list_slug(context.args[0]) if context.args else None
    campaign = context.svc.campaign(slug) if slug else None
    if campaign is None:
        await reading.start(update, context)
        return
    await send(update, context, await list_view(update, context, campaign))


async def group_signatories(update: Update, context: BotContext) -> None:
    """In a group: a button that opens the list in the private chat, nothing more."""
    chat = update.effective_chat
    svc = context.svc
    named = svc.campaign(context.args[0].lower()) if context.args else None
    candidates = [named] if named else svc.campaigns.shown()
    listed = [c for c in candidates if c.signatories]
    if chat is None or not listed or not await context.runtime.group_budget.take(chat.id):
        return
    links = [(c, deeplinks.list_link(context.bot.username, c.slug)) for c in listed]
    if len(links) == 1:
        campaign, link = links[0]
        t = await group_translator(context, chat.id, campaign.default_language)
        await send(update, context, views.open_privately(t, campaign, link))
        return
    t = await group_translator(context, chat.id, svc.settings.default_language)
    await send(update, context, views.open_privately_list(t, links))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    """Before bot.telegram.handlers.reading: its /start would take the list's deep link too."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", list_link, private & filters.Regex(r"__list\s*$")))
    app.add_handler(CommandHandler("signatories", signatories_command, private))
    in_groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("signatories", group_signatories, in_groups))
    return {"who": on_page, "whob": on_page}
