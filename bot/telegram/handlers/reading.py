"""Reading a campaign: /start, the card, full-text pages, decision makers, progress, language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core import catalogue, choices, people, reading
from bot.domain.campaigns import Campaign
from bot.domain.goals import Progress
from bot.i18n import NATIVE_NAMES, Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator, user_id_of
from bot.telegram.views import campaign as views
from bot.telegram.views.common import View, button, esc, keyboard
from bot.telegram.views.signing import choices_kept


async def current_campaign(update: Update, context: BotContext) -> Campaign | None:
    """The campaign a command without arguments is about (bot.core.reading)."""
    return await reading.current_campaign(context.svc, user_id_of(update))


async def campaign_list_view(
    update: Update,
    context: BotContext,
    heading: str | None = None,
    opens: views.Opens = views.Opens.CARD,
) -> View:
    """The campaigns to choose from; picking one opens `opens` (what the person asked for)."""
    svc = context.svc
    t = await translator(update, context)
    campaigns = svc.campaigns.shown()
    counts = {c.slug: (await svc.progress(c)).count for c in campaigns}
    return views.campaign_list(t, campaigns, counts, heading, opens)


async def card_view(
    update: Update, context: BotContext, campaign: Campaign, progress: Progress | None = None
) -> View:
    """The campaign's card; `progress` when it was read with the update's other work."""
    t = await translator(update, context)
    svc = context.svc
    shown, _ = campaign.text_for(t.language)
    changed = svc.history.changed(campaign.slug, shown.language)
    return views.card(t, campaign, progress or await svc.progress(campaign), changed)


async def on_earlier(update: Update, context: BotContext, cb: Callback) -> None:
    """The text a campaign showed before it changed, as a plain-text document."""
    t = await translator(update, context)
    found = await catalogue.earlier_text(context.svc, cb.args[0], cb.args[1])
    if found is None:
        answer(update, context, t._("That text is no longer available."), alert=True)
        return
    answer(update, context)
    version, text = found
    day = datetime.fromtimestamp(version.created_at, UTC).strftime("%Y-%m-%d")
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        document=text.encode("utf-8"),
        filename=f"{version.campaign}-{version.language}-{day}.txt",
        caption=t._("The earlier text, in use from {date}.").format(
            date=t.date(version.created_at)
        ),
    )


async def start(update: Update, context: BotContext) -> None:
    payload = context.args[0] if context.args else ""
    # First: its transaction reads the person's language too (bot.core.erasure).
    opened = await reading.start(context.svc, user_id_of(update), payload)
    t = await translator(update, context)
    if opened.campaign is None:
        heading = (
            t._("I don't know that link. Here is what you can sign now:")
            if opened.unknown_link
            else None
        )
        await send(update, context, await campaign_list_view(update, context, heading))
        return
    await send(update, context, await card_view(update, context, opened.campaign, opened.progress))


async def on_card(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    if campaign is None:
        await on_list(update, context, cb)
        return
    answer(update, context)
    await reading.remember_visit(context.svc, user_id_of(update), campaign, None)
    await show(update, context, await card_view(update, context, campaign))


async def on_list(update: Update, context: BotContext, cb: Callback) -> None:
    answer(update, context)
    await show(update, context, await campaign_list_view(update, context))


async def _paged(
    update: Update, context: BotContext, cb: Callback, render: Callable[..., View]
) -> None:
    """Full-text and decision-maker pages: edit the pressed message to page `cb.args[1]`."""
    campaign = context.svc.campaign(cb.args[0])
    answer(update, context)
    if campaign is None:
        await show(update, context, await campaign_list_view(update, context))
        return
    t = await translator(update, context)
    await show(update, context, render(t, campaign, cb.arg_int(1)))


async def on_page(update: Update, context: BotContext, cb: Callback) -> None:
    await _paged(update, context, cb, views.text_page)


async def on_addressees(update: Update, context: BotContext, cb: Callback) -> None:
    await _paged(update, context, cb, views.addressees_page)


async def addressees_command(update: Update, context: BotContext) -> None:
    campaign = await current_campaign(update, context)
    if campaign is None:
        opens = views.Opens.ADDRESSEES
        await send(update, context, await campaign_list_view(update, context, opens=opens))
        return
    t = await translator(update, context)
    await send(update, context, views.addressees_page(t, campaign, 1))


async def progress_command(update: Update, context: BotContext) -> None:
    campaign = await current_campaign(update, context)
    t = await translator(update, context)
    targets = [campaign] if campaign else context.svc.campaigns.open()
    for target in targets:
        await send(update, context, await _progress_view(update, context, t, target))


async def on_progress(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    answer(update, context)
    if campaign is not None:
        t = await translator(update, context)
        await show(update, context, await _progress_view(update, context, t, campaign))


async def _progress_view(
    update: Update, context: BotContext, t: Translator, campaign: Campaign
) -> View:
    """Progress, with a Sign button only for someone who has not signed this one."""
    svc = context.svc
    signed = await people.signature_in(svc, user_id_of(update), campaign.slug) is not None
    return views.progress_view(t, campaign, await svc.progress(campaign), signed)


async def language_menu(update: Update, context: BotContext) -> View:
    """The languages, and where a choice would be kept and for how long."""
    t = await translator(update, context)
    kept = await choices.where_kept(context.svc, user_id_of(update))
    rows = [
        [button(("✓ " if code == t.language else "") + name, "setlang", code)]
        for code, name in NATIVE_NAMES.items()
    ]
    text = "🌐 {}\n\n{}".format(
        esc(t._("Choose your language:")), esc(choices_kept(t, kept, context.svc.settings))
    )
    return View(text, keyboard(*rows))


async def language_command(update: Update, context: BotContext) -> None:
    await send(update, context, await language_menu(update, context))


async def on_language(update: Update, context: BotContext, cb: Callback) -> None:
    answer(update, context)
    await show(update, context, await language_menu(update, context))


async def on_set_language(update: Update, context: BotContext, cb: Callback) -> None:
    code = cb.args[0]
    if code not in NATIVE_NAMES:
        answer(update, context)
        return
    await choices.set_language(context.svc, user_id_of(update), code)
    t = context.svc.i18n.get(code)
    # Translators: confirm the switch naming your own language, e.g. "Мова: беларуская."
    answer(update, context, t._("Language set to English."))
    campaign = await current_campaign(update, context)
    view = (
        await card_view(update, context, campaign)
        if campaign
        else await campaign_list_view(update, context)
    )
    await show(update, context, view)


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler(["addressees", "decisionmakers"], addressees_command, private))
    app.add_handler(CommandHandler("progress", progress_command, filters=private))
    app.add_handler(CommandHandler("language", language_command, filters=private))
    return {
        "card": on_card,
        "older": on_earlier,
        "list": on_list,
        "page": on_page,
        "addr": on_addressees,
        "prog": on_progress,
        "lang": on_language,
        "setlang": on_set_language,
    }
