"""Who signed: the public signatory list, /signatories and the card's "👥 Who signed" button.

In a private chat the list pages through Telegram's message limits; in a group only a button
to the private chat is posted, so no name is ever put into a group.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core.services import Services
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.domain.signatories import Listing, Page, Place
from bot.storage import signatories as store
from bot.storage import signatures as signature_store
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import reading
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator
from bot.telegram.handlers.groups import group_translator
from bot.telegram.handlers.reading import campaign_list_view, current_campaign
from bot.telegram.views import signatories as views
from bot.telegram.views.common import View


async def page_of(
    svc: Services, campaign: Campaign, *, after: int = 0, upto: int | None = None
) -> Page:
    """The page after position `after` (0: the first page), or the one ending just before
    position `upto` (paging back)."""
    listing = Listing.of(campaign)

    async def totals() -> tuple[int, int, int]:
        """Listed, waiting and all signatures, counted together so that they add up."""
        listed = await store.count(svc.db, campaign.slug, listing, Place.BOT)
        waiting = (
            await store.waiting_count(svc.db, campaign.slug, listing) if listing.reviewed else 0
        )
        return listed, waiting, await signature_store.count(svc.db, campaign.slug)

    listed, waiting, total = await svc.recent(("list", campaign.slug, listing), totals)
    if upto is not None and upto <= 1:  # nothing before the first name: the first page
        upto = None
    if upto is not None:
        start = max(0, upto - 1 - views.FETCH)
        found = await store.listed(svc.db, campaign.slug, listing, start, upto - 1 - start)
        nearest_first = found[::-1]
        entries = nearest_first[: views.fitting(nearest_first)][::-1]
    else:
        found = await store.listed(svc.db, campaign.slug, listing, after, views.FETCH)
        entries = found[: views.fitting(found)]
    if entries:  # the counts may be a few seconds old; positions are exact
        listed = max(listed, entries[-1].position)
    return Page(
        entries=tuple(entries),
        listed=listed,
        waiting=waiting,
        others=max(0, total - listed - waiting),
    )


async def list_view(
    update: Update,
    context: BotContext,
    campaign: Campaign,
    *,
    after: int = 0,
    upto: int | None = None,
) -> View:
    t = await translator(update, context)
    if not campaign.signatories:
        return views.list_off(t, campaign)
    return views.list_page(
        t, campaign, await page_of(context.svc, campaign, after=after, upto=upto)
    )


async def signatories_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    campaign = svc.campaign(context.args[0].lower()) if context.args else None
    campaign = campaign or await current_campaign(update, context)
    if campaign is None:
        await send(update, context, await campaign_list_view(update, context))
        return
    await send(update, context, await list_view(update, context, campaign))


async def on_page(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    await answer(update)
    if campaign is None:
        await show(update, context, await campaign_list_view(update, context))
        return
    position = cb.arg_int(1)
    if cb.action == "whob":
        view = await list_view(update, context, campaign, upto=position)
    else:
        view = await list_view(update, context, campaign, after=position)
    await show(update, context, view)


async def list_link(update: Update, context: BotContext) -> None:
    """/start <slug>__list (a group's "👥 Who signed"): the list; any other payload, the
    ordinary /start, which says what it does not know."""
    slug = deeplinks.list_slug(context.args[0]) if context.args else None
    campaign = context.svc.campaign(slug) if slug else None
    if campaign is None:
        await reading.start(update, context)
        return
    await send(update, context, await list_view(update, context, campaign))


async def group_signatories(update: Update, context: BotContext) -> None:
    """In a group: a button that opens the list in the private chat, nothing more."""
    chat = update.effective_chat
    svc = context.svc
    named = svc.campaign(context.args[0].lower()) if context.args else None
    candidates = [named] if named else svc.campaigns.open() or svc.campaigns.all()
    listed = [c for c in candidates if c.signatories]
    if chat is None or not listed or not context.runtime.group_budget.take(chat.id):
        return
    links = [(c, deeplinks.list_link(context.bot.username, c.slug)) for c in listed]
    if len(links) == 1:
        campaign, link = links[0]
        t = await group_translator(context, chat.id, campaign.default_language)
        await send(update, context, views.open_privately(t, campaign, link))
        return
    t = await group_translator(context, chat.id, svc.settings.default_language)
    await send(update, context, views.open_privately_list(t, links))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    """Before bot.telegram.handlers.reading: its /start would take the list's deep link too."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", list_link, private & filters.Regex(r"__list\s*$")))
    app.add_handler(CommandHandler("signatories", signatories_command, private))
    in_groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("signatories", group_signatories, in_groups))
    return {"who": on_page, "whob": on_page}
