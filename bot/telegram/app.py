"""build_application: the one function that assembles the bot, for production and tests alike."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core import bots, catalogue, leases, review_default, upgrade
from bot.core.content import load_campaigns
from bot.core.services import Services
from bot.i18n import I18n
from bot.storage.engines import engine_for
from bot.storage.keys import check_signer_key
from bot.telegram import health, jobs, menus
from bot.telegram.broadcast import Broadcaster
from bot.telegram.client import ResilientRequest
from bot.telegram.context import (
    BotApp,
    BotApplication,
    BotContext,
    BotRuntime,
    ForgetfulRateLimiter,
)
from bot.telegram.handlers import register_all
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


async def _post_init(app: BotApp) -> None:
    runtime = app.runtime
    services = runtime.services
    await services.db.open()
    settings = services.settings
    services.legacy = await check_signer_key(
        db=services.db, key=settings.signer_key, cost=settings.pseudonym_cost
    )
    await catalogue.settle(services, services.campaigns.all())  # and the database's campaigns
    await bots.settle(services, [(app.bot.id, app.bot.username)])
    if await upgrade.needed(services):  # rows made before this version move in the background
        runtime.upgrade = asyncio.create_task(upgrade.run(services))
    await review_default.settle(services)
    await review_default.fill_skeletons(services)
    for warning in [*services.settings.warnings, *review_default.warnings(services)]:
        log.warning("%s", warning)
    await menus.publish(app.bot, services)
    jobs.schedule(app)
    await health.open_endpoint(runtime)
    await runtime.broadcaster.resume()  # broadcasts a restart interrupted
    log.info("bot @%s ready with %d campaigns", app.bot.username, len(services.campaigns))


async def _post_stop(app: BotApp) -> None:
    if app.runtime.upgrade is not None:
        app.runtime.upgrade.cancel()  # resumes at the next start
    # Before the HTTP client closes: a runner stopped mid-send could otherwise repeat a message.
    await app.runtime.broadcaster.stop()
    await app.runtime.side_calls.close()


async def _post_shutdown(app: BotApp) -> None:
    await app.runtime.broadcaster.stop()
    await app.runtime.side_calls.close()
    await health.close_endpoint(app.runtime)
    if app.runtime.services.db.is_open:  # a second shutdown finds it closed
        await leases.release_all(app.runtime.services)  # no other worker waits for expiry
    await app.runtime.services.db.close()


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


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    metrics: Metrics | None = None,
) -> BotApp:
    """Assembles the Application; resources open in post_init and close in post_shutdown.

    `metrics` is given when the process counted something before the bot existed (wrong
    passphrases while it was locked, bot/telegram/locked.py).
    """
    # The handlers call sendMessage/editMessageText through do_api_request on purpose (their
    # replies stay raw JSON, see bot.telegram.handlers.base); PTB warns about that once per call site.
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.\w+' instead of", category=PTBUserWarning
    )
    campaigns = load_campaigns(settings.campaigns_dir)
    metrics = metrics or Metrics()
    services = Services(
        settings=settings,
        db=engine_for(settings),
        i18n=I18n(settings.default_language),
        campaigns=campaigns,
    )
    newest = NewestInChat(services.memory)
    # Every Bot API call goes through ResilientRequest (retries, metrics), a test's fake too.
    if request is not None:
        calls = ResilientRequest(request, metrics, newest=newest)
        updates = ResilientRequest(updates_request or request, metrics)
    else:
        calls, updates = telegram_requests(metrics, newest)
    # Untyped on purpose: PTB types the post_* hooks for its base Application, not ours.
    builder: Any = ApplicationBuilder()
    builder = (
        builder.application_class(BotApplication)
        .token(settings.bot_token)
        .base_url(settings.api_base_url)
        .base_file_url(_file_url(settings.api_base_url))
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerUserProcessor(CONCURRENT_UPDATES, runtime=lambda: app.runtime))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .request(calls)
        .get_updates_request(updates)
    )
    if rate_limit:
        # Retries on 429 and keeps each group under Telegram's 20 messages a minute.
        builder = builder.rate_limiter(ForgetfulRateLimiter(overall_max_rate=0, max_retries=3))
    app: BotApp = builder.build()
    app.runtime = BotRuntime(
        services=services,
        metrics=metrics,
        gatekeeper=Gatekeeper(memory=services.memory),
        group_budget=GroupBudget(memory=services.memory),
        group_refusals=GroupBudget(per_minute=1, memory=services.memory),
        broadcaster=Broadcaster(app, services),
        newest=newest,
        side_calls=SideCalls(),
    )
    app.add_handler(TypeHandler(Update, gate), group=-1)
    register_all(app)
    app.add_error_handler(_on_error)
    return app
