"""/broadcast: reply to a message with it; preview, confirm, then the runner sends it.

The broadcast and all its delivery rows are created in one transaction at confirmation, so
a double tap queues nothing twice and a restart resumes where sending stopped.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import broadcast
from bot.callbacks import Callback
from bot.handlers.admin_common import (
    admin_button,
    ask_campaign,
    audit,
    pick_campaign,
    register_commands,
    reply,
)
from bot.handlers.base import CallbackRoute, answer, send, show
from bot.i18n import Translator
from bot.services import BotApp, BotContext
from bot.storage import admin as admin_store
from bot.views.admin import title_of
from bot.views.common import View, button, esc, keyboard, user_text


async def broadcast_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    usage = t._(
        "Usage: reply to the message you want to send with /broadcast [campaign]. "
        "It goes to the signers who asked for updates."
    )
    campaign, rest = pick_campaign(svc, args)
    if campaign is None or rest:
        await ask_campaign(update, context, t, usage)
        return
    message = update.effective_message
    source = message.reply_to_message if message is not None else None
    if source is None or not source.text:
        await reply(update, context, esc(usage))
        return
    assert update.effective_user is not None and update.effective_chat is not None
    admin_id = update.effective_user.id
    html = source.text_html
    broadcast_id = await admin_store.create_draft(svc.db, campaign.slug, admin_id, html, svc.now())
    recipients = await admin_store.subscriber_count(svc.db, campaign.slug)
    # The preview is the message exactly as subscribers will get it.
    await context.bot.send_message(update.effective_chat.id, html, parse_mode=ParseMode.HTML)
    question = esc(
        t.ngettext(
            "The message above will go to {count} subscriber of “{title}”. Send it?",
            "The message above will go to {count} subscribers of “{title}”. Send it?",
            recipients,
        )
    ).format(count=t.number(recipients), title=user_text(title_of(campaign, t)))
    markup = keyboard(
        [
            button("✅ " + t._("Confirm"), "bc", broadcast_id),
            button("✖️ " + t._("Cancel"), "bcx", broadcast_id),
        ]
    )
    await send(update, context, View(question, markup))
    await audit(context, admin_id, "broadcast_draft", f"campaign={campaign.slug} id={broadcast_id}")


@admin_button
async def on_confirm(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    broadcast_id = cb.arg_int(0)
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
    broadcast.runner(context.application).start(broadcast_id)


@admin_button
async def on_discard(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    broadcast_id = cb.arg_int(0)
    if not await admin_store.cancel_broadcast(svc.db, broadcast_id, svc.now()):
        await answer(update, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    await answer(update)
    await show(update, context, View(esc(t._("The broadcast was cancelled. Nothing was sent."))))
    await audit(context, admin_id, "broadcast_cancel", f"id={broadcast_id}")


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"broadcast": broadcast_command})
    return {"bc": on_confirm, "bcx": on_discard}
