"""The second admin's Approve and Refuse (bot.core.approvals), what an approval carries out,
and the expiry of requests nobody decided.

Callback data can be forged, so the press is re-checked: an admin, in a private chat, who is
not the requester (the use case decides). An approved action runs for its requester: a file
goes only to the requester's private chat, never to the approver.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.core import approvals, bots, broadcasts, removal, review
from bot.domain.approvals import Kind, Request, Verdict
from bot.domain.bots import Refusal
from bot.domain.broadcasts import ConfirmOutcome
from bot.i18n import Translator
from bot.telegram.admin_alerts import admin_translator, tell_admins
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotContext
from bot.telegram.four_eyes import announce
from bot.telegram.handlers import admin, admin_broadcast
from bot.telegram.handlers.admin_common import admin_button
from bot.telegram.handlers.base import CallbackRoute, answer, show
from bot.telegram.views import approvals as views
from bot.telegram.views import bots as bot_views
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, esc

_OUTCOMES = {
    Verdict.APPROVE: "approved",
    Verdict.REFUSE: "refused",
    Verdict.WITHDRAW: "withdrawn",
}


async def _decide(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator, approve: bool
) -> None:
    decision = await approvals.decide(context.svc, user_id, cb.arg_int(0), approve)
    request = decision.request
    if decision.verdict is None or request is None:
        answer(update, context, views.gone(t), alert=True)
        return
    if decision.verdict is Verdict.OWN:
        answer(update, context, views.own_request(t), alert=True)
        return
    if decision.verdict is Verdict.EXPIRED:
        answer(update, context, views.gone(t), alert=True)
        await expire(context)
        return
    answer(update, context)
    await show(update, context, View(views.decided(t, request, None, _OUTCOMES[decision.verdict])))
    await announce(context, request, _OUTCOMES[decision.verdict])
    if decision.verdict is Verdict.APPROVE:
        try:
            await _carry_out(context, request)
        finally:
            await approvals.done(context.svc, request)


async def _carry_out(context: BotContext, request: Request) -> None:
    """The approved action, for its requester, in their private chat and language."""
    svc = context.svc
    requester = approvals.organiser_of(svc, request)
    if requester is None:
        await _tell_admins_not_done(context, request, "requester")
        return
    t = await admin_translator(context, requester)
    campaign = svc.campaign(request.campaign) if request.campaign else None
    params = request.params
    if request.kind in (Kind.EXPORT, Kind.PURGE) and campaign is None:  # gone with a reload
        await _send(context, requester, views.not_carried_out(t, request, "campaign"))
        return
    if request.kind is Kind.EXPORT and campaign is not None:
        public = params.get("public") == "1"
        fmt, language = params["format"], params["language"]
        await admin.deliver_export(context, t, requester, campaign, fmt, language, public)
    elif request.kind is Kind.BACKUP:
        await admin.deliver_backup(context, t, requester)
    elif request.kind is Kind.BROADCAST:
        started = await broadcasts.start_approved(svc, requester, request)
        if started.outcome is not ConfirmOutcome.STARTED:
            await _send(context, requester, views.not_carried_out(t, request, "changed"))
            return
        message = await _send(context, requester, admin_broadcast.sending(t, started.recipients))
        await admin_broadcast.begin(context, int(params["id"]), message)
    elif request.kind is Kind.PURGE and campaign is not None:
        start, end = int(params["from"]), int(params["to"])
        count = await removal.purge(svc, requester, campaign.slug, start, end)
        await _send(context, requester, views.purged(t, title_of(campaign, t), count))
    elif request.kind is Kind.UNHIDE:
        number = int(params["number"])
        if await review.unhide_approved(svc, requester, number) is review.Outcome.CHANGED:
            text = esc(t._("Name #{number} is no longer hidden.")).format(number=number)
        else:
            text = views.not_carried_out(t, request, "hidden")
        await _send(context, requester, text)
    elif request.kind is Kind.BOT_ROLE:
        changed = await bots.set_role_approved(svc, requester, request)
        if isinstance(changed, Refusal):
            username, role = request.params["username"], request.params["role"]
            text = bot_views.refused(t, changed, username, role)
        else:
            change = changed.change
            text = bot_views.changed(t, change.bot, change.role, change.demoted)
        await _send(context, requester, text)


async def _send(context: BotContext, chat_id: int, html: str) -> int:
    message = await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)
    return message.message_id


async def _tell_admins_not_done(context: BotContext, request: Request, why: str) -> None:
    await tell_admins(context, lambda admin_t: views.not_carried_out(admin_t, request, why))


async def expire(context: BotContext) -> None:
    """Requests whose window closed undecided (the job, every minute, and a late press):
    every admin is told once."""
    for request in await approvals.expire_due(context.svc):
        await announce(context, request, "expired")


@admin_button
async def on_approve(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    await _decide(update, context, cb, user_id, t, approve=True)


@admin_button
async def on_refuse(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    await _decide(update, context, cb, user_id, t, approve=False)


def routes() -> dict[str, CallbackRoute]:
    return {"apy": on_approve, "apn": on_refuse}
