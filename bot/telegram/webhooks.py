"""One webhook listener for every bot, each on a path of its own (WEBHOOK_URL mode).

PTB's Updater.start_webhook opens a server per bot; several bots behind one port and one
reverse proxy need one server with a route per bot instead. Each route is PTB's own handler
(JSON only, Telegram's secret header checked), feeding that bot's update queue. One bot keeps
WEBHOOK_URL's path as it was; with several, each bot's path is WEBHOOK_URL's followed by
`/<its id>` (the id getMe gives, so reordering BOT_TOKENS moves nothing).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tornado.web
from telegram import Update

# PTB's handler and server, as its own start_webhook uses them.
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass, WebhookServer

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.telegram.context import BotApp

log = logging.getLogger(__name__)


def url_for(webhook_url: str, bot_id: int, several: bool) -> str:
    """The public URL Telegram posts one bot's updates to."""
    return f"{webhook_url.rstrip('/')}/{bot_id}" if several else webhook_url


class _Routes(WebhookAppClass):
    """The listener's routes, one per bot, added as each bot comes up (PTB's class holds
    one bot's route; its parent, tornado's Application, takes any number)."""

    def __init__(self) -> None:
        tornado.web.Application.__init__(self, [])

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Off: requests are not logged (they could carry the secret header)."""


class Listener:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._routes = _Routes()
        self._server = WebhookServer(
            settings.webhook_listen, settings.webhook_port, self._routes, None
        )

    async def start(self) -> None:
        await self._server.serve_forever()

    async def add(self, app: BotApp, several: bool) -> None:
        """Routes the bot's path to its update queue, then registers it with Telegram."""
        settings = self.settings
        assert settings.webhook_url is not None
        url = url_for(settings.webhook_url, app.bot.id, several)
        shared: dict[str, Any] = {
            "bot": app.bot,
            "update_queue": app.update_queue,
            "secret_token": settings.webhook_secret,
        }
        path = re.escape(urlsplit(url).path.rstrip("/"))
        self._routes.add_handlers(r".*", [(rf"{path}/?", TelegramHandler, shared)])
        await app.bot.set_webhook(
            url, allowed_updates=Update.ALL_TYPES, secret_token=settings.webhook_secret
        )

    async def stop(self) -> None:
        await self._server.shutdown()
