"""What every organiser command shares: the level check, campaign arguments, the audit trail.

Organisers are admins (ADMIN_IDS: every power) and moderators (MODERATOR_IDS: day-to-day
moderation only). The level each command needs is in
`bot.telegram.permissions.ORGANISER_COMMANDS`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.core import organisers
from bot.core.budgets import OverBudget
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.exports import packaging
from bot.exports.spool import Spool
from bot.i18n import Translator
from bot.telegram.admin_alerts import tell_admins
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import router
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    is_private,
    send,
    translator,
)
from bot.telegram.permissions import organiser_command
from bot.telegram.views.admin import package_note, refusal, which_campaign
from bot.telegram.views.common import View
from bot.telegram.views.moderation import budget_alert, over_budget

AdminCommand = Callable[[Update, BotContext, Translator, list[str]], Awaitable[None]]


def organiser_level(update: Update, context: BotContext) -> Level | None:
    """The sender's level in a private chat; None elsewhere and for everyone else."""
    user = update.effective_user
    return context.svc.level(user.id) if user is not None and is_private(update) else None


def admin_id(update: Update) -> int:
    """The organiser behind an update that `admin_command` already let through."""
    assert update.effective_user is not None
    return update.effective_user.id


def admin_command(
    func: AdminCommand, name: str, required: Level
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """Runs `func` for organisers of the `required` level in a private chat.

    Anyone else gets the unknown-command reply, so nothing reveals the command exists; a
    moderator asking for an admin's command is told no, and the refusal is audited.
    """

    async def handler(update: Update, context: BotContext) -> None:
        level = organiser_level(update, context)
        if level is None:
            await router.unknown_command(update, context)
            return
        t = await translator(update, context)
        if not level.covers(required):
            await reply(update, context, refusal(t, name))
            await audit(context, admin_id(update), "refused", f"command={name}")
            return
        await func(update, context, t, list(context.args or []))

    handler.__name__ = func.__name__
    return handler


def register_commands(app: BotApp, commands: dict[str, AdminCommand]) -> None:
    """Each command with the level its ORGANISER_COMMANDS entry names (LookupError if none)."""
    private = filters.ChatType.PRIVATE
    for name, func in commands.items():
        level = organiser_command(name).level
        app.add_handler(CommandHandler(name, admin_command(func, name, level), filters=private))


AdminButton = Callable[[Update, BotContext, Callback, int, Translator], Awaitable[None]]


def organiser_button(required: Level) -> Callable[[AdminButton], CallbackRoute]:
    """Runs the button for organisers of the `required` level pressing in a private chat.

    Callback data comes from the client and can be forged, so the buttons prove nothing:
    anyone else is acknowledged only (a moderator's press of an admin's button is audited).
    """

    def wrap(func: AdminButton) -> CallbackRoute:
        async def route(update: Update, context: BotContext, cb: Callback) -> None:
            user = update.effective_user
            level = organiser_level(update, context)
            if user is None or level is None or not level.covers(required):
                answer(update, context)
                if user is not None and level is not None:
                    await audit(context, user.id, "refused", f"button={cb.action}")
                return
            await func(update, context, cb, user.id, await translator(update, context))

        route.__name__ = func.__name__
        return route

    return wrap


admin_button = organiser_button(Level.ADMIN)
moderator_button = organiser_button(Level.MODERATOR)


async def audit(context: BotContext, user_id: int, action: str, detail: str = "") -> None:
    """bot.core.organisers.audit for a handler: a refusal, or an action whose use case does
    not record itself yet."""
    await organisers.audit(context.svc, user_id, action, detail)


async def refuse_over_budget(
    update: Update, context: BotContext, t: Translator, refusal: OverBudget
) -> None:
    """An organiser ran out of an hourly budget (the use case audited it): they are told in
    their language, in a new message (a pressed confirmation stays, to be pressed once the
    hour frees up), and the first time, so is every admin."""
    answer(update, context)
    await send(update, context, View(over_budget(t, refusal)))
    if refusal.announce:
        await tell_admins(context, lambda admin_t: budget_alert(admin_t, refusal))


def signature_number(args: list[str]) -> int | None:
    """The one argument of /remove, /block, /hide and /unhide: "123" or "#123"."""
    raw = args[0].lstrip("#") if len(args) == 1 else ""
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit to Python, not to int()
        return None
    return int(raw) if 0 < int(raw) < 1_000_000_000 else None


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


async def ask_campaign(
    update: Update, context: BotContext, t: Translator, usage: str, question: str | None = None
) -> None:
    campaigns = context.svc.campaigns.all()
    await reply(update, context, which_campaign(t, campaigns, usage, question))


def spool_for(context: BotContext, folder: str, filename: str, *, holds_names: bool) -> Spool:
    """Where a file for the organiser waits on the server: sealed to a one-time key when it
    holds names and BACKUP_RECIPIENTS is set, so no plaintext byte of it reaches the disk."""
    sealed = holds_names and bool(context.svc.settings.backup_recipients)
    return Spool(Path(folder) / filename, sealed)


async def send_files(
    context: BotContext, t: Translator, chat_id: int, spool: Spool, filename: str, caption: str
) -> None:
    """The spooled file as documents to the organiser: zipped, split, and encrypted to
    BACKUP_RECIPIENTS when it was sealed (it holds names); how to open it goes under the
    first caption."""
    recipients = context.svc.settings.backup_recipients if spool.sealed else ()
    package = await asyncio.to_thread(packaging.fit, spool, filename, None, recipients)
    note = package_note(t, package)
    if note:
        caption += "\n" + note
    for index, (part, name) in enumerate(package.files):
        with part.open("rb") as fh:
            await context.bot.send_document(
                chat_id,
                document=fh,
                filename=name,
                caption=caption if index == 0 else None,
                parse_mode=ParseMode.HTML,
            )
