"""The typed context handlers receive, and the Application type they run in."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.core.services import Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the Services."""

    @property
    def svc(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
