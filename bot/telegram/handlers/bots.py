"""/bots: an admin sees the official bots (id, username, role, whether each serves now) and
changes a role (bot.core.bots; audited, under four eyes when they are in force)."""

from __future__ import annotations

from telegram import Update

from bot.core import approvals, bots
from bot.core.approvals import Asked
from bot.domain.bots import Refusal
from bot.i18n import Translator
from bot.telegram.context import BotApp, BotContext
from bot.telegram.four_eyes import ask_second_admin
from bot.telegram.handlers.admin_common import admin_id, register_commands, reply
from bot.telegram.handlers.base import CallbackRoute
from bot.telegram.views import bots as views
from bot.telegram.views.common import esc


async def bots_command(update: Update, context: BotContext, t: Translator, args: list[str]) -> None:
    """/bots, or /bots role <bot> <role>."""
    svc = context.svc
    if not args:
        serving = {link.id: link.serving_now() for link in context.runtime.fleet.links}
        text = views.listing(t, await bots.load(svc), serving, approvals.required(svc))
        await reply(update, context, text)
        return
    if len(args) != 3 or args[0].lower() != "role":
        await reply(update, context, esc(views.usage(t)))
        return
    ref, role = args[1], args[2]
    done = await bots.set_role(svc, admin_id(update), ref, role)
    if isinstance(done, Refusal):
        await reply(update, context, views.refused(t, done, ref, role))
    elif isinstance(done, Asked):
        await ask_second_admin(update, context, t, done)
    else:
        change = done.change
        await reply(update, context, views.changed(t, change.bot, change.role, change.demoted))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"bots": bots_command})
    return {}
