"""/review, /hide and /unhide: organisers decide which public names appear.

Moderators and admins can both. A batch is approved only if it is still exactly what was
shown (an edited name goes back to the queue), and every press is re-checked: callback data
comes from the client.
"""

from __future__ import annotations

from telegram import Update

from bot.core import review
from bot.core.approvals import Asked
from bot.core.budgets import OverBudget
from bot.domain.campaigns import Campaign
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.four_eyes import ask_second_admin
from bot.telegram.handlers.admin_common import (
    admin_id,
    ask_campaign,
    moderator_button,
    pick_campaign,
    refuse_over_budget,
    register_commands,
    reply,
    signature_number,
)
from bot.telegram.handlers.base import CallbackRoute, answer, send, show
from bot.telegram.views import review as views
from bot.telegram.views.common import View, esc


async def _queue(context: BotContext, t: Translator, campaign: Campaign, notice: str = "") -> View:
    shown = await review.queue(context.svc, campaign, views.BATCH, views.batch)
    return views.queue(
        t, campaign, shown.entries, shown.waiting, shown.digest, notice, shown.reported
    )


async def review_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    campaign, rest = pick_campaign(context.svc, args)
    if campaign is None or rest:
        await ask_campaign(update, context, t, t._("Usage: /review [campaign]"))
        return
    await send(update, context, await _queue(context, t, campaign))


@moderator_button
async def on_approve(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    first, last, digest = cb.arg_int(0), cb.arg_int(1), cb.args[2]
    approval = await review.approve(context.svc, admin_id, first, last, digest)
    answer(update, context)
    if approval is None:
        await show(update, context, View(esc(t._("These names are gone. Open /review again."))))
        return
    count = approval.approved
    notice = views.changed(t) if count is None else views.approved(t, count)
    await show(update, context, await _queue(context, t, approval.campaign, notice))


@moderator_button
async def on_hide(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    number = cb.arg_int(0)
    campaign = await review.hide_in_queue(context.svc, admin_id, number)
    if isinstance(campaign, OverBudget):
        await refuse_over_budget(update, context, t, campaign)
        return
    answer(update, context)
    if campaign is None:
        await show(
            update,
            context,
            View(esc(t._("There is no signature #{number}.")).format(number=number)),
        )
        return
    await show(update, context, await _queue(context, t, campaign, views.hidden(t, number)))


async def _set(
    update: Update, context: BotContext, t: Translator, args: list[str], hiding: bool
) -> None:
    """/hide (`hiding`) or /unhide one name by its signature number."""
    number = signature_number(args)
    if number is None:
        usage = t._("Usage: /hide <number>") if hiding else t._("Usage: /unhide <number>")
        await reply(update, context, esc(usage))
        return
    outcome = await review.set_hidden(context.svc, admin_id(update), number, hiding)
    if isinstance(outcome, OverBudget):
        await refuse_over_budget(update, context, t, outcome)
        return
    if isinstance(outcome, Asked):
        await ask_second_admin(update, context, t, outcome)
        return
    if outcome is review.Outcome.NO_SIGNATURE:
        await reply(
            update, context, esc(t._("There is no signature #{number}.")).format(number=number)
        )
        return
    if outcome is review.Outcome.NOT_HIDDEN:
        missing = t._("Name #{number} is not hidden: nothing was changed.")
        await reply(update, context, esc(missing).format(number=number))
        return
    if hiding:
        text = t._(
            "Name #{number} is hidden from the list of signatories and the documents. "
            "The signature still counts. Hiding is not a block: if this person withdraws and "
            "signs again, the new signature is not hidden (/block stops them signing again)."
        )
    else:
        text = t._("Name #{number} is no longer hidden.")
    await reply(update, context, esc(text).format(number=number))


async def hide_command(update: Update, context: BotContext, t: Translator, args: list[str]) -> None:
    await _set(update, context, t, args, hiding=True)


async def unhide_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    await _set(update, context, t, args, hiding=False)


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(
        app, {"review": review_command, "hide": hide_command, "unhide": unhide_command}
    )
    return {"rva": on_approve, "rvh": on_hide}
