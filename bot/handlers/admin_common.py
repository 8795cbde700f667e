"""What every admin command shares: the admin check, campaign arguments, the audit trail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.callbacks import Callback
from bot.domain.campaigns import Campaign
from bot.handlers import router
from bot.handlers.base import CallbackRoute, answer, is_private, send, translator
from bot.i18n import Translator
from bot.services import BotApp, BotContext, Services
from bot.storage import admin as admin_store
from bot.views.common import View, esc

log = logging.getLogger("bot.admin")

AdminCommand = Callable[[Update, BotContext, Translator, list[str]], Awaitable[None]]


def is_admin_update(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return is_private(update) and context.svc.is_admin(user.id if user else None)


def admin_id(update: Update) -> int:
    """The admin behind an update that `admin_command` already let through."""
    assert update.effective_user is not None
    return update.effective_user.id


def admin_command(
    func: AdminCommand,
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """Runs `func` for admins in a private chat; anyone else gets the unknown-command reply."""

    async def handler(update: Update, context: BotContext) -> None:
        if not is_admin_update(update, context):
            await router.unknown_command(update, context)
            return
        t = await translator(update, context)
        await func(update, context, t, list(context.args or []))

    handler.__name__ = func.__name__
    return handler


def register_commands(app: BotApp, commands: dict[str, AdminCommand]) -> None:
    private = filters.ChatType.PRIVATE
    for name, func in commands.items():
        app.add_handler(CommandHandler(name, admin_command(func), filters=private))


AdminButton = Callable[[Update, BotContext, Callback, int, Translator], Awaitable[None]]


def admin_button(func: AdminButton) -> CallbackRoute:
    """Runs `func` for an admin pressing in a private chat; anyone else is acknowledged only.

    Callback data comes from the client and can be forged, so the buttons prove nothing.
    """

    async def route(update: Update, context: BotContext, cb: Callback) -> None:
        user = update.effective_user
        if user is None or not is_admin_update(update, context):
            await answer(update)
            return
        await func(update, context, cb, user.id, await translator(update, context))

    route.__name__ = func.__name__
    return route


async def audit(context: BotContext, admin_id: int, action: str, detail: str = "") -> None:
    """The audit row and an INFO log line; `detail` never holds names or Telegram ids."""
    await admin_store.audit(context.svc.db, admin_id, action, detail, context.svc.now())
    log.info("admin action: %s %s", action, detail)


def pick_campaign(svc: Services, args: list[str]) -> tuple[Campaign | None, list[str]]:
    """A leading campaign slug, or the only campaign when there is one; the rest of the args."""
    if args:
        campaign = svc.campaign(args[0].lower())
        if campaign is not None:
            return campaign, args[1:]
    every = svc.campaigns.all()
    if len(every) == 1:
        return every[0], args
    return None, args


async def reply(update: Update, context: BotContext, html: str) -> int:
    """Sends `html` to the admin; returns the message id (for a later edit)."""
    return await send(update, context, View(html))


async def ask_campaign(update: Update, context: BotContext, t: Translator, usage: str) -> None:
    slugs = ", ".join(f"<code>{esc(c.slug)}</code>" for c in context.svc.campaigns.all())
    head = esc(t._("Which campaign? Put its name after the command."))
    tail = esc(t._("Campaigns: {slugs}")).format(slugs=slugs)
    await reply(update, context, f"{head}\n{tail}\n\n{esc(usage)}")


async def send_files(
    context: BotContext, t: Translator, chat_id: int, files: list[tuple[Path, str]], caption: str
) -> None:
    """Documents to the admin; the caption goes on the first (of possibly several parts)."""
    if len(files) > 1:
        note = t._("{count} parts: join them with cat name.zip.* > name.zip, then unzip.")
        caption += "\n" + esc(note).format(count=len(files))
    for index, (path, name) in enumerate(files):
        with path.open("rb") as fh:
            await context.bot.send_document(
                chat_id,
                document=fh,
                filename=name,
                caption=caption if index == 0 else None,
                parse_mode=ParseMode.HTML,
            )
