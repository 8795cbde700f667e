"""build_fleet: the one function that assembles the process and its bots, for production and
tests alike."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core.content import load_campaigns
from bot.core.services import Services
from bot.core.workers import Shared
from bot.i18n import I18n
from bot.storage.engines import engine_for
from bot.telegram.client import ResilientRequest
from bot.telegram.context import (
    BotApp,
    BotApplication,
    BotContext,
    BotRuntime,
    ForgetfulRateLimiter,
)
from bot.telegram.fleet import Fleet
from bot.telegram.handlers import register_all
from bot.telegram.links import BotLink
from bot.telegram.metrics import Metrics
from bot.telegram.middleware import Gatekeeper, GroupBudget, PerUserProcessor, gate
from bot.telegram.newest import NewestInChat
from bot.telegram.side_calls import SideCalls
from bot.telegram.transport import telegram_requests

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 256  # different people's updates handled at once (see PerUserProcessor)


def _file_url(base_url: str) -> str:
    """Telegram's file URL sits beside the API URL: .../bot -> .../file/bot."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


async def _on_error(update: object, context: BotContext) -> None:
    """Logs the failure without personal data and tells the user nothing was lost."""
    error = context.error
    if isinstance(error, Forbidden | RetryAfter | NetworkError):
        log.warning("Telegram call failed: %s", error.__class__.__name__)
    else:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=error)
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type == "private"
    ):
        t = await context.svc.translator_for(update.effective_user)
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await context.bot.send_message(
                update.effective_chat.id,
                t._(
                    "Sorry, something went wrong on our side. Nothing you entered was lost; please try again."
                ),
            )
        except Exception:
            log.warning("could not tell the user about the error")


def build_fleet(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    metrics: Metrics | None = None,
) -> Fleet:
    """Assembles the process: its shared part, and an Application per token of BOT_TOKENS.
    Resources open in Fleet.open and close in Fleet.close (bot.telegram.fleet).

    `metrics` is given when the process counted something before the bot existed (wrong
    passphrases while it was locked, bot/telegram/locked.py). A test's `request` answers
    every bot (the fake routes by token).
    """
    # The handlers call sendMessage/editMessageText through do_api_request on purpose (their
    # replies stay raw JSON, see bot.telegram.handlers.base); PTB warns about that once per call site.
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.\w+' instead of", category=PTBUserWarning
    )
    services = Services(
        settings=settings,
        db=engine_for(settings),
        i18n=I18n(settings.default_language),
        campaigns=load_campaigns(settings.campaigns_dir),
    )
    fleet = Fleet(services, metrics or Metrics())
    for token in settings.bot_tokens:
        fleet.add(_build_bot(fleet, token, request, updates_request, rate_limit))
    return fleet


def _build_bot(
    fleet: Fleet,
    token: str,
    request: BaseRequest | None,
    updates_request: BaseRequest | None,
    rate_limit: bool,
) -> BotApp:
    """One bot's Application over the fleet's shared part."""
    settings, services = fleet.services.settings, fleet.services
    newest = NewestInChat(services.memory)
    link = BotLink(token)
    # Every Bot API call goes through ResilientRequest (retries, metrics), a test's fake too.
    if request is not None:
        calls = ResilientRequest(request, fleet.metrics, newest=newest, link=link)
        updates = ResilientRequest(updates_request or request, fleet.metrics, link=link)
    else:
        calls, updates = telegram_requests(fleet.metrics, link, newest)
    # Untyped on purpose: PTB types the hooks for its base Application, not ours.
    builder: Any = ApplicationBuilder()
    builder = (
        builder.application_class(BotApplication)
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(_file_url(settings.api_base_url))
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerUserProcessor(CONCURRENT_UPDATES, runtime=lambda: app.runtime))
        .request(calls)
        .get_updates_request(updates)
    )
    if rate_limit:
        # Retries on 429 and keeps each group under Telegram's 20 messages a minute.
        builder = builder.rate_limiter(ForgetfulRateLimiter(overall_max_rate=0, max_retries=3))
    app: BotApp = builder.build()
    shared = Shared.of(services, link.id)
    app.runtime = BotRuntime(
        fleet=fleet,
        link=link,
        gatekeeper=Gatekeeper(shared, memory=services.memory),
        group_budget=GroupBudget(shared, "posts"),
        group_refusals=GroupBudget(shared, "refusals", per_minute=1),
        newest=newest,
        side_calls=SideCalls(),
    )
    app.add_handler(TypeHandler(Update, gate), group=-1)
    register_all(app)
    app.add_error_handler(_on_error)
    return app
