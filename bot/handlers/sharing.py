"""Sharing: /share with a QR code, named sources for admins, and attribution of links."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.callbacks import Callback
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.handlers.admin_common import admin_id, audit, register_commands
from bot.handlers.base import CallbackRoute, answer, send, translator
from bot.handlers.reading import campaign_list_view, current_campaign
from bot.i18n import Translator
from bot.qr import qr_png
from bot.services import BotApp, BotContext
from bot.storage import sources as source_store
from bot.views import sharing as views
from bot.views.common import View, bold, esc


async def send_share(
    update: Update, context: BotContext, campaign: Campaign, source: str | None = None
) -> None:
    """One photo message: the QR code, the link in the caption, and share buttons."""
    t = await translator(update, context)
    link = deeplinks.link(context.svc.bot_username, campaign.slug, source)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(
        chat.id,
        qr_png(link),
        caption=views.share_caption(t, campaign, link),
        parse_mode=ParseMode.HTML,
        reply_markup=views.share_markup(t, campaign, link),
    )


async def share_command(update: Update, context: BotContext) -> None:
    campaign = await current_campaign(update, context)
    if campaign is None:
        await send(update, context, await campaign_list_view(update, context))
        return
    await send_share(update, context, campaign)


async def on_share(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    await answer(update)
    if campaign is not None:
        await send_share(update, context, campaign)


async def source_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    """Admins: `/source new <name>` makes a named link; `/source` lists them."""
    svc = context.svc
    if len(args) >= 2 and args[0] == "new":
        label = " ".join(args[1:])[:64]
        campaign = await current_campaign(update, context)
        if campaign is None:
            await send(
                update, context, View(esc(t._("Which campaign? Open it with /start first.")))
            )
            return
        code = await source_store.create(svc.db, "named", label, svc.now())
        await audit(context, admin_id(update), "source.new", code)
        await send_share(update, context, campaign, code)
        return
    rows = await source_store.with_counts(svc.db)
    if not rows:
        text = esc(t._("No sources yet. Create one with /source new <name>."))
    else:
        lines = [bold(t._("Sources"))]
        for code, kind, label, visits, signed in rows:
            lines.append(
                esc(
                    t._("{label} ({kind}, {code}): {visits} visits, {signed} signed").format(
                        label=label, kind=kind, code=code, visits=visits, signed=signed
                    )
                )
            )
        text = "\n".join(lines)
    await send(update, context, View(text))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("share", share_command, filters=private))
    register_commands(app, {"source": source_command})
    return {"share": on_share}
