"""The one place callback data is decoded and dispatched; plus /help and unknown input."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core import bots
from bot.domain.organisers import Level
from bot.i18n import Translator
from bot.telegram.callbacks import decode
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.base import CallbackRoute, answer, is_private, send, translator
from bot.telegram.menus import PRIVATE
from bot.telegram.permissions import commands_for
from bot.telegram.views.bots import official_line
from bot.telegram.views.common import View, bold, command_lines, esc


def dispatcher(routes: Mapping[str, CallbackRoute]) -> CallbackRoute_:
    """The one handler of every button: decodes its data and calls the route for its action."""
    table = dict(routes)

    async def on_callback(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None
        cb = decode(query.data)
        route = table.get(cb.action) if cb else None
        if cb is None or route is None or not is_private(update):
            # Forged, stale (an older version) or foreign data, or a button pressed outside
            # the private chat (the bot sends none there): acknowledge and do nothing.
            answer(update, context)
            return
        await route(update, context, cb)

    return on_callback


CallbackRoute_ = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def help_text(t: Translator, level: Level | None = None, official: Sequence[str] = ()) -> str:
    """The supporters' commands, the official bots (primary first), then an organiser's own
    commands: the same list, in the same words, as their command menu."""
    title = t._("What I can do")
    lines = [bold(title)]
    lines += command_lines(t, [(name, text) for name, text in PRIVATE if name != "help"])
    if official:
        lines += ["", official_line(t, official)]
    if level is not None:
        heading = t._("For admins") if level is Level.ADMIN else t._("For moderators")
        lines += ["", bold(heading), *command_lines(t, commands_for(level))]
    if level is Level.ADMIN:
        rule = t._(
            "With two or more admins, exports with names, /backup, /broadcast, /purge, "
            "/unhide of a name an admin hid and /bots role wait until another admin approves."
        )
        lines.append(esc(rule))
    return "\n".join(lines)


async def help_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    user = update.effective_user
    level = context.svc.level(user.id) if user is not None else None
    official = bots.official_usernames(context.svc)
    await send(update, context, View(help_text(t, level, official)))


async def unknown_command(update: Update, context: BotContext) -> None:
    """The supporters' /help under one line: it names the official bots too, so whoever typed
    a command of a look-alike, or an organiser's without being one, learns the real ones."""
    t = await translator(update, context)
    head = esc(t._("I don't know that command."))
    official = bots.official_usernames(context.svc)
    await send(update, context, View(f"{head}\n\n{help_text(t, None, official)}"))


def register(app: BotApp, routes: Mapping[str, CallbackRoute]) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(dispatcher(routes)))
    app.add_handler(CommandHandler("help", help_command, filters=private))
    # Registered last in the default group: only commands nothing else took reach it.
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)
    )
