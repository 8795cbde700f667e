"""Announcing four eyes (bot.core.approvals) to the admins: a new request goes to every admin
with Approve and Refuse; each decision and expiry is told to every admin; whoever asked learns
which admins could not be reached. Shared by the guarded commands and the decision buttons."""

from __future__ import annotations

from telegram import Update

from bot.core import broadcasts
from bot.core.approvals import Asked
from bot.domain.approvals import Kind, Request
from bot.i18n import Translator
from bot.telegram.admin_alerts import tell_admins
from bot.telegram.context import BotContext
from bot.telegram.handlers.base import send
from bot.telegram.views import approvals as views
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View


def _title(context: BotContext, request: Request, t: Translator) -> str | None:
    campaign = context.svc.campaign(request.campaign) if request.campaign else None
    return title_of(campaign, t) if campaign is not None else None


async def ask_second_admin(
    update: Update, context: BotContext, t: Translator, asked: Asked
) -> None:
    """A guarded action became a request: every admin gets it with the buttons (the first
    time only), and the requester is told it waits, and whom it could not reach."""
    request = asked.request
    unreached: tuple[int, ...] = ()
    if asked.new:
        texts: dict[str, str] | None = None
        links: tuple[str, ...] = ()
        if request.kind is Kind.BROADCAST:
            texts = await broadcasts.texts(context.svc, int(request.params["id"]))
            links = broadcasts.links(texts)
        unreached = await tell_admins(
            context,
            lambda admin_t: views.request_text(
                admin_t, request, _title(context, request, admin_t), texts, links
            ),
            lambda admin_t: views.request_buttons(admin_t, request),
        )
    await send(update, context, View(views.waiting(t, request, asked.new, unreached)))


async def announce(context: BotContext, request: Request, outcome: str) -> None:
    """Every admin is told what became of the request ("approved", "refused", "withdrawn",
    "expired")."""
    await tell_admins(
        context,
        lambda admin_t: views.decided(admin_t, request, _title(context, request, admin_t), outcome),
    )
