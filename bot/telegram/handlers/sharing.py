"""Sharing: /share with a QR code, named sources for admins, and attribution of links."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.core import sources
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.exports.qr import qr_png
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.admin_common import admin_id, ask_campaign, register_commands
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    delete_aside,
    send,
    sending,
    translator,
)
from bot.telegram.handlers.reading import campaign_list_view, current_campaign
from bot.telegram.views import sharing as views
from bot.telegram.views import sources as source_views
from bot.telegram.views.admin import refusal
from bot.telegram.views.campaign import Opens
from bot.telegram.views.common import View, esc


async def send_share(
    update: Update, context: BotContext, campaign: Campaign, source: str | None = None
) -> None:
    """One photo message: the QR code, the link in the caption, and share buttons."""
    t = await translator(update, context)
    link = deeplinks.link(context.bot.username, campaign.slug, source)
    chat = update.effective_chat
    assert chat is not None
    photo = qr_png(link)
    await sending(
        lambda: context.bot.send_photo(
            chat.id,
            photo,
            caption=views.share_caption(t, campaign, link),
            parse_mode=ParseMode.HTML,
            reply_markup=views.share_markup(t, campaign, link),
        ),
        harmless=True,  # a second copy of a link to share harms nobody
    )


async def share_command(update: Update, context: BotContext) -> None:
    campaign = await current_campaign(update, context)
    if campaign is None:
        opens = Opens.SHARE
        await send(update, context, await campaign_list_view(update, context, opens=opens))
        return
    await send_share(update, context, campaign)


async def on_share(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    answer(update, context)
    if campaign is not None:
        await send_share(update, context, campaign)


async def on_share_from_list(update: Update, context: BotContext, cb: Callback) -> None:
    """Picked from /share's list: the share message takes the list's place (a photo cannot
    be edited into a text message, so the list goes once the photo is there)."""
    await on_share(update, context, cb)
    if context.svc.campaign(cb.args[0]) is not None:
        delete_aside(update, context)


async def source_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    """`/source new [campaign] <name>` makes a named link (admins); `/source` lists them."""
    svc = context.svc
    if not args:
        await send(update, context, source_views.source_list(t, await sources.listing(svc)))
        return
    if args[0].lower() != "new" or len(args) < 2:
        await send(update, context, View(esc(source_views.usage(t))))
        return
    if not await sources.allowed(svc, admin_id(update)):
        await send(update, context, View(refusal(t, "source new")))
        return
    named = svc.campaign(args[1].lower())
    if named is not None and len(args) == 2:  # a campaign, but no name for the link
        await send(update, context, View(esc(source_views.usage(t))))
        return
    campaign = named or await current_campaign(update, context)
    if campaign is None:
        question = t._("Which campaign is the link for? Put its name after new:")
        await ask_campaign(update, context, t, t._("/source new <campaign> <name>"), question)
        return
    label = " ".join(args[2:] if named else args[1:])
    code = await sources.create_named(svc, admin_id(update), campaign, label)
    await send_share(update, context, campaign, code)


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("share", share_command, filters=private))
    register_commands(app, {"source": source_command})
    return {"share": on_share, "shl": on_share_from_list}
