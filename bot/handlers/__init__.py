"""Thin Telegram handlers: parse the update, call the domain and storage, render a view."""

from __future__ import annotations

from bot.handlers import account, admin, groups, inline, reading, router, sharing, signing
from bot.services import BotApp


def register_all(app: BotApp) -> None:
    for module in (reading, signing, account, sharing, groups, inline, admin):
        module.register(app)
    router.register(app)  # last: its catch-all for unknown commands must come after the rest
