"""/purge: a wave of spam removed by time window. Admins only; shows a count, never a name;
with four eyes in force it waits for a second admin, otherwise the admin confirms it."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.core import removal
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.four_eyes import ask_second_admin
from bot.telegram.handlers.admin_common import (
    admin_button,
    admin_id,
    ask_campaign,
    pick_campaign,
    register_commands,
    reply,
)
from bot.telegram.handlers.base import CallbackRoute, answer, send, show
from bot.telegram.views import approvals as views
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, esc


def parse_time(text: str) -> int | None:
    """`2026-12-04T10:00` or `2026-12-04`, in UTC; None for anything else."""
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return int(datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    return None


async def purge_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None:
        await ask_campaign(update, context, t, views.purge_usage(t))
        return
    times = [parse_time(arg) for arg in rest]
    if len(times) != 2 or times[0] is None or times[1] is None:
        await reply(update, context, esc(views.purge_usage(t)))
        return
    start, end = times[0], times[1]
    if not start < end <= svc.now():
        await reply(update, context, esc(views.purge_window_error(t)))
        return
    shown = await removal.wave(svc, admin_id(update), campaign.slug, start, end)
    title = title_of(campaign, t)
    text = views.purge_preview(t, campaign, title, shown.count, start, end)
    if shown.count == 0:
        await reply(update, context, text)
        return
    asked = await removal.ask_for_purge(svc, admin_id(update), shown)
    if asked is not None:
        await ask_second_admin(update, context, t, asked)
        return
    await send(
        update, context, View(text, views.purge_buttons(t, campaign, shown.count, start, end))
    )


@admin_button
async def on_purge(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    """The confirmation where four eyes are not in force (with them, the request is the only
    way: a forged press is asked for approval again)."""
    svc = context.svc
    campaign = svc.campaign(cb.args[0])
    start, end = cb.arg_int(1), cb.arg_int(2)
    answer(update, context)
    if campaign is None:
        await show(update, context, View(esc(t._("Cancelled. Nothing was changed."))))
        return
    shown = await removal.wave(svc, admin_id, campaign.slug, start, end)
    asked = await removal.ask_for_purge(svc, admin_id, shown)
    if asked is not None:
        await ask_second_admin(update, context, t, asked)
        return
    count = await removal.purge(svc, admin_id, campaign.slug, start, end)
    await show(update, context, View(views.purged(t, title_of(campaign, t), count)))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"purge": purge_command})
    return {"pg": on_purge}
