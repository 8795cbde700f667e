"""Reading a campaign: /start, the card, full-text pages, decision makers, progress, language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.domain.signatures import Counted, Draft, Signature, Step
from bot.i18n import NATIVE_NAMES, Translator
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage import sources as source_store
from bot.storage.funnel import Event
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    person_of,
    send,
    show,
    translator,
    user_id_of,
)
from bot.telegram.views import campaign as views
from bot.telegram.views.common import View, button, esc, keyboard


async def current_campaign(update: Update, context: BotContext) -> Campaign | None:
    """The campaign a command without arguments is about: the one the person has open (their
    draft), else the one they signed last, else the only campaign there is."""
    svc = context.svc
    draft = await draft_store.get(
        svc.db, person_of(update, context), svc.now(), svc.settings.draft_ttl_hours * 3600
    )
    if draft is not None and (campaign := svc.campaign(draft.campaign)) is not None:
        return campaign
    # After signing the draft is gone; the person's own newest signature says which one.
    for signature in reversed(await my_signatures(update, context)):
        if (campaign := svc.campaign(signature.campaign)) is not None:
            return campaign
    every = svc.campaigns.all()
    if len(every) == 1:
        return every[0]
    open_now = svc.campaigns.open()
    return open_now[0] if len(open_now) == 1 else None


async def my_signatures(update: Update, context: BotContext) -> list[Signature]:
    """This person's signatures, oldest first, in every campaign the database holds, loaded
    or not (a campaign folder deleted after closing must not hide a signature from its
    signer)."""
    svc = context.svc
    uid = user_id_of(update)
    held = await svc.campaigns_held()
    return await signature_store.of_person(svc.db, {c: svc.signer(uid, c) for c in held})


async def remember_visit(
    update: Update, context: BotContext, campaign: Campaign, source: str | None
) -> None:
    """Which campaign a person opened, and from which link, lives in a draft and expires with
    it: no per-person row outlives it. A signing already under way is left alone."""
    svc = context.svc
    person = person_of(update, context)
    ttl = svc.settings.draft_ttl_hours * 3600
    draft = await draft_store.get(svc.db, person, svc.now(), ttl)
    if draft is not None and draft.campaign == campaign.slug:
        if source and draft.source != source:
            await draft_store.save(svc.db, replace(draft, source=source))
        return
    if draft is not None and draft.signing:
        return
    visit = Draft(
        person,
        campaign.slug,
        Step.VISIT,
        updated_at=svc.now(),
        source=source,
        counted=Counted.OPENED,
    )
    # A repeat counts once; a draft past its lifetime that the expiry job has yet to erase is
    # no draft.
    await draft_store.replace_if(svc.db, draft, visit, [Event.OPENED], stale_before=svc.now() - ttl)


async def campaign_list_view(
    update: Update, context: BotContext, heading: str | None = None
) -> View:
    svc = context.svc
    t = await translator(update, context)
    campaigns = svc.campaigns.open() or svc.campaigns.all()
    counts = {c.slug: (await svc.progress(c)).count for c in campaigns}
    return views.campaign_list(t, campaigns, counts, heading)


async def card_view(update: Update, context: BotContext, campaign: Campaign) -> View:
    t = await translator(update, context)
    return views.card(t, campaign, await context.svc.progress(campaign))


async def start(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    payload = context.args[0] if context.args else ""
    campaign = None
    heading = None
    if payload:
        decoded = deeplinks.decode(payload)
        campaign = svc.campaign(decoded[0]) if decoded else None
        if campaign is None or decoded is None:
            heading = t._("I don't know that link. Here is what you can sign now:")
        else:
            source = decoded[1]
            if source and not await source_store.exists(svc.db, source):
                source = None
            await remember_visit(update, context, campaign, source)
            await source_store.count_visit(svc.db, campaign.slug, source)
    if campaign is None:
        campaigns = svc.campaigns.open() or svc.campaigns.all()
        if len(campaigns) == 1:
            campaign = campaigns[0]
            await remember_visit(update, context, campaign, None)
    if campaign is None:
        await send(update, context, await campaign_list_view(update, context, heading))
        return
    await send(update, context, await card_view(update, context, campaign))


async def on_card(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    if campaign is None:
        await on_list(update, context, cb)
        return
    await answer(update)
    await remember_visit(update, context, campaign, None)
    await show(update, context, await card_view(update, context, campaign))


async def on_list(update: Update, context: BotContext, cb: Callback) -> None:
    await answer(update)
    await show(update, context, await campaign_list_view(update, context))


async def _paged(
    update: Update, context: BotContext, cb: Callback, render: Callable[..., View]
) -> None:
    """Full-text and decision-maker pages: edit the pressed message to page `cb.args[1]`."""
    campaign = context.svc.campaign(cb.args[0])
    await answer(update)
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
        await send(update, context, await campaign_list_view(update, context))
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
    await answer(update)
    if campaign is not None:
        t = await translator(update, context)
        await show(update, context, await _progress_view(update, context, t, campaign))


async def _progress_view(
    update: Update, context: BotContext, t: Translator, campaign: Campaign
) -> View:
    """Progress, with a Sign button only for someone who has not signed this one."""
    svc = context.svc
    signer = svc.signer(user_id_of(update), campaign.slug)
    signed = await signature_store.find(svc.db, campaign.slug, signer) is not None
    return views.progress_view(t, campaign, await svc.progress(campaign), signed)


def language_menu(t: Translator) -> View:
    rows = [
        [button(("✓ " if code == t.language else "") + name, "setlang", code)]
        for code, name in NATIVE_NAMES.items()
    ]
    return View("🌐 " + esc(t._("Choose your language:")), keyboard(*rows))


async def language_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    await send(update, context, language_menu(t))


async def on_language(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    await answer(update)
    await show(update, context, language_menu(t))


async def on_set_language(update: Update, context: BotContext, cb: Callback) -> None:
    code = cb.args[0]
    if code not in NATIVE_NAMES:
        await answer(update)
        return
    await context.svc.set_language(user_id_of(update), code)
    t = context.svc.i18n.get(code)
    # Translators: confirm the switch naming your own language, e.g. "Мова: беларуская."
    await answer(update, t._("Language set to English."))
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
        "list": on_list,
        "page": on_page,
        "addr": on_addressees,
        "prog": on_progress,
        "lang": on_language,
        "setlang": on_set_language,
    }
