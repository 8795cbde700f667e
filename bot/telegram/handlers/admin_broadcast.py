"""/broadcast: reply to a message with it; preview, confirm, then the runner sends it.

The drafts, their confirmation and the audit trail are bot.core.broadcasts'.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.config import SUPPORTED_LANGUAGES
from bot.core import broadcasts
from bot.domain.broadcasts import ConfirmOutcome
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.four_eyes import ask_second_admin
from bot.telegram.handlers.admin_common import (
    admin_button,
    ask_campaign,
    pick_campaign,
    register_commands,
    reply,
)
from bot.telegram.handlers.base import CallbackRoute, answer, send, show
from bot.telegram.views import approvals as approval_views
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
    html = source.text_html
    if over := views.excess(svc.i18n, campaign, html):
        await reply(update, context, esc(views.too_long(t, over)))
        return
    draft = await broadcasts.add_text(svc, update.effective_user.id, campaign, language, html)
    # The preview is the message exactly as subscribers in `language` will get it.
    shown = views.delivery(svc.i18n.get(language), campaign, campaign.slug, html)
    await context.bot.send_message(
        update.effective_chat.id, shown.text, parse_mode=ParseMode.HTML, reply_markup=shown.markup
    )
    view = views.preview(t, campaign, draft.id, language, draft.texts, draft.audience, draft.by_bot)
    await send(update, context, view)


@admin_button
async def on_confirm(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    broadcast_id = cb.arg_int(0)
    confirmation = await broadcasts.confirm(svc, admin_id, broadcast_id)
    if confirmation.outcome is ConfirmOutcome.NEEDS_DEFAULT:
        answer(
            update,
            context,
            t._("Add the text in the campaign's default language first."),
            alert=True,
        )
        return
    if confirmation.outcome is ConfirmOutcome.GONE:
        answer(update, context, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    if confirmation.outcome is ConfirmOutcome.LINKS_REFUSED:
        answer(update, context)
        await send(update, context, View(approval_views.links_refused(t, confirmation.links)))
        return
    answer(update, context)
    if confirmation.asked is not None:
        await ask_second_admin(update, context, t, confirmation.asked)
        return
    shown = await show(update, context, View(sending(t, confirmation.recipients)))
    await begin(context, broadcast_id, shown)


def sending(t: Translator, recipients: int) -> str:
    text = t.ngettext(
        "Sending the broadcast to {count} subscriber…",
        "Sending the broadcast to {count} subscribers…",
        recipients,
    )
    return esc(text).format(count=t.number(recipients))


async def begin(context: BotContext, broadcast_id: int, progress_message: int | None) -> None:
    """The runner starts sending a queued broadcast, editing `progress_message` as it goes."""
    await broadcasts.report_progress_in(context.svc, broadcast_id, context.bot.id, progress_message)
    context.runtime.broadcaster.start(broadcast_id)


@admin_button
async def on_discard(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    if not await broadcasts.discard(context.svc, admin_id, cb.arg_int(0)):
        answer(update, context, t._("This broadcast was already sent or cancelled."), alert=True)
        return
    answer(update, context)
    await show(update, context, View(esc(t._("The broadcast was cancelled. Nothing was sent."))))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"broadcast": broadcast_command})
    return {"bc": on_confirm, "bcx": on_discard}
