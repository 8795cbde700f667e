"""Thin Telegram handlers: parse the update, call one core use case, render a view."""

from __future__ import annotations

from bot.telegram.context import BotApp
from bot.telegram.handlers import (
    account,
    admin,
    approvals,
    authoring,
    bots,
    campaign_admin,
    cleanup,
    groups,
    inline,
    reading,
    reports,
    review,
    router,
    sharing,
    signatories,
    signing,
)
from bot.telegram.handlers.base import CallbackRoute


def register_all(app: BotApp) -> None:
    """Every handler, and the callback routes each feature returns, assembled per app."""
    routes: dict[str, CallbackRoute] = {}
    # authoring before signing: an admin's or translator's text goes to their campaign first.
    features = (
        signatories,
        reading,
        authoring,
        campaign_admin,
        bots,
        signing,
        account,
        sharing,
        admin,
        review,
        reports,
    )
    for feature in features:
        routes.update(feature.register(app))
    routes.update(cleanup.routes())
    routes.update(approvals.routes())
    groups.register(app)
    inline.register(app)
    router.register(app, routes)  # last: its catch-all for unknown commands comes after the rest
