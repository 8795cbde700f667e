"""/notme: a reader reports a name on the public list as theirs, signed without them.

`/notme [campaign] <number on the list>` shows the name and asks; the button records the
report (bot.core.reports). The first report of a name is announced to every organiser's
private chat with the signature's number, never the reader.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core import reports
from bot.domain.reports import Reported
from bot.telegram.admin_alerts import tell_admins
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator, user_id_of
from bot.telegram.handlers.reading import campaign_list_view, current_campaign
from bot.telegram.views import reports as views


async def notme_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    args = list(context.args or [])
    if not args or not args[-1].isdigit() or len(args) > 2 or len(args[-1]) > 9:
        shown = context.svc.campaigns.shown()
        await send(update, context, views.usage(t, shown[0].slug if shown else "campaign"))
        return
    position = int(args.pop())
    campaign = context.svc.campaign(args[0].lower()) if args else None
    campaign = campaign or await current_campaign(update, context)
    if campaign is None:
        await send(update, context, await campaign_list_view(update, context))
        return
    entry = await reports.entry_at(context.svc, campaign, position)
    if entry is None:
        await send(update, context, views.no_entry(t, campaign, position))
        return
    await send(update, context, views.confirm(t, campaign, entry))


async def on_report(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    campaign = context.svc.campaign(cb.args[0])
    if campaign is None:
        answer(update, context)
        await show(update, context, await campaign_list_view(update, context))
        return
    done = await reports.report(
        context.svc, user_id_of(update), campaign, cb.arg_int(1), cb.args[2]
    )
    answer(update, context)
    await show(update, context, views.outcome(t, done.outcome))
    if done.outcome is Reported.REPORTED and done.first and done.number is not None:
        number = done.number
        await tell_admins(
            context, lambda tr: views.organisers_notice(tr, campaign, number), moderators=True
        )


def register(app: BotApp) -> dict[str, CallbackRoute]:
    app.add_handler(CommandHandler("notme", notme_command, filters.ChatType.PRIVATE))
    return {"nme": on_report}
