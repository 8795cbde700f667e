"""The one place callback data is decoded and dispatched; plus /help and unknown input."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import decode
from bot.handlers import account, reading, signing
from bot.handlers.base import CallbackRoute, answer, is_private, send, translator
from bot.i18n import Translator
from bot.services import BotApp, BotContext
from bot.views.common import View, esc

log = logging.getLogger(__name__)

ROUTES: dict[str, CallbackRoute] = {**reading.ROUTES, **signing.ROUTES, **account.ROUTES}


def add_routes(routes: Mapping[str, CallbackRoute]) -> None:
    """Feature modules registered after the core add their callback actions here."""
    ROUTES.update(routes)


async def on_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    route = ROUTES.get(cb.action) if cb else None
    if cb is None or route is None or not is_private(update):
        # Forged, stale (an older version) or foreign data, or a button pressed outside the
        # private chat (the bot sends none there): acknowledge and do nothing.
        await answer(update)
        return
    await route(update, context, cb)


def help_text(t: Translator) -> str:
    commands = [
        ("/start", t._("the campaign and how to sign")),
        ("/progress", t._("signatures so far and the next goal")),
        ("/addressees", t._("who the campaign is addressed to")),
        ("/mysignature", t._("what is recorded for you")),
        ("/withdraw", t._("withdraw and erase your signature")),
        ("/mydata", t._("everything the bot holds about you")),
        ("/privacy", t._("what is stored and who sees it")),
        ("/language", t._("choose your language")),
        ("/stop", t._("stop all updates")),
        ("/cancel", t._("leave the signing you started")),
    ]
    title = t._("What I can do")
    lines = [f"<b>{esc(title)}</b>"]
    lines += [f"{cmd} — {esc(text)}" for cmd, text in commands]
    return "\n".join(lines)


async def help_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    await send(update, context, View(help_text(t)))


async def unknown_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    head = esc(t._("I don't know that command."))
    await send(update, context, View(f"{head}\n\n{help_text(t)}"))


def register(app: BotApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_handler(CommandHandler("help", help_command, filters=private))
    # Registered last in the default group: only commands nothing else took reach it.
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)
    )
