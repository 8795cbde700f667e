"""/broadcast: reply to a message with it; preview, confirm, then the runner sends it.

The broadcast and all its delivery rows are created in one transaction at confirmation, so
a double tap queues nothing twice and a restart resumes where sending stopped.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import Translator
from bot.storage import admin as admin_store
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.admin_common import (
    admin_button,
    ask_campaign,
    audit,
    pick_campaign,
    register_commands,
    reply,
)
from bot.telegram.handlers.base import CallbackRoute, answer, send, show
from bot.telegram.views import broadcast as views
from bot.telegram.views.common import View, esc


async def broadcast_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None:
        await ask_campaign(update, context, t, views.usage(t))
        return
    language = rest[0].lower() if len(rest) == 1 else campaign.default_language
    message = update.effective_message
    source = message.reply_to_message if message is not None else None
    if len(rest) > 1 or language not in SUPPORTED_LANGUAGES or source is None or not source.text:
        await reply(update, context, esc(views.usage(t)))
        return
    assert update.effective_user is not None and update.effective_chat is not None
    admin_id = update.effective_user.id
    html = source.text_html
    broadcast_id = await admin_store.draft_for(svc.db, campaign.slug, admin_id, svc.now())
    default = language == campaign.default_language
    await admin_store.set_draft_text(svc.db, broadcast_id, language, html, default=default)
    texts = await admin_store.broadcast_texts(svc.db, broadcast_id)
    audience = await admin_store.audience(svc.db, campaign.slug)
    # The preview is the message exactly as subscribers will get it.
    await context.bot.send_message(update.effective_chat.id, html, parse_mode=ParseMode.HTML)
    view = views.preview(t, campaign, broadcast_id, language, texts, audience)
    await send(update, context, view)
    detail = f"campaign={campaign.slug} id={broadcast_id} language={language}"
    await audit(context, admin_id, "broadcast_draft", detail)


async def _own_draft(
    context: BotContext, broadcast_id: int, admin_id: int
) -> admin_store.Broadcast | None:
    """The draft behind a button, if it is this admin's: ids are sequential and callback data
    can be forged, so one admin's press must not send or drop another's half-made draft."""
    svc = context.svc
    stored = await admin_store.get_broadcast(svc.db, broadcast_id)
    if stored is None or stored.status != "draft" or stored.admin_id != admin_id:
        return None
    if svc.now() - stored.created_at > admin_store.DRAFT_HOURS * 3600:  # a forgotten preview
        await admin_store.cancel_broadcast(svc.db, broadcast_id, svc.now())
        return None
    return stored


@admin_button
async def on_confirm(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    broadcast_id = cb.arg_int(0)
    stored = await _own_draft(context, broadcast_id, admin_id)
    if stored is None:
        await answer(update, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    # The default language as it is now (a reload may have changed it since the preview).
    campaign = svc.campaign(stored.campaign)
    language = campaign.default_language if campaign is not None else ""
    default = (await admin_store.broadcast_texts(svc.db, broadcast_id)).get(language)
    if default is None:
        await answer(
            update, t._("Add the text in the campaign's default language first."), alert=True
        )
        return
    await admin_store.set_draft_text(svc.db, broadcast_id, language, default, default=True)
    recipients = await admin_store.start_broadcast(svc.db, broadcast_id)
    if recipients is None:
        await answer(update, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    await answer(update)
    text = t.ngettext(
        "Sending the broadcast to {count} subscriber…",
        "Sending the broadcast to {count} subscribers…",
        recipients,
    )
    shown = await show(update, context, View(esc(text).format(count=t.number(recipients))))
    await admin_store.set_progress_message(svc.db, broadcast_id, shown)
    await audit(context, admin_id, "broadcast_send", f"id={broadcast_id} recipients={recipients}")
    context.runtime.broadcaster.start(broadcast_id)


@admin_button
async def on_discard(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    broadcast_id = cb.arg_int(0)
    if await _own_draft(context, broadcast_id, admin_id) is None or not (
        await admin_store.cancel_broadcast(svc.db, broadcast_id, svc.now())
    ):
        await answer(update, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    await answer(update)
    await show(update, context, View(esc(t._("The broadcast was cancelled. Nothing was sent."))))
    await audit(context, admin_id, "broadcast_cancel", f"id={broadcast_id}")


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"broadcast": broadcast_command})
    return {"bc": on_confirm, "bcx": on_discard}
