"""Campaigns from Telegram: /newcampaign and its steps, and language texts sent as documents
(by admins and TRANSLATOR_IDS); /campaigns and /campaign are bot.telegram.handlers.campaign_admin.
The rules are in bot.core.authoring and bot.core.campaign_edits; this parses, calls one use
case, renders."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.core import authoring, broadcasts, campaign_edits
from bot.core.authoring import Abandoned, Problem, Published, Refused
from bot.domain import deeplinks
from bot.domain.authoring import Action, Draft, Step
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.domain.paging import paginate
from bot.domain.signatures import Draft as SigningDraft
from bot.domain.signatures import Step as SigningStep
from bot.i18n import Translator
from bot.telegram.admin_alerts import tell_admins
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import signing
from bot.telegram.handlers.admin_common import admin_id, organiser_button, register_commands
from bot.telegram.handlers.base import CallbackRoute, answer, send, translator, user_id_of
from bot.telegram.views import authoring as views
from bot.telegram.views import broadcast as broadcast_views
from bot.telegram.views.campaign import card, text_page
from bot.telegram.views.common import View, markup_of
from bot.telegram.views.signing import preview as signing_preview

log = logging.getLogger(__name__)


async def newcampaign_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    draft = await authoring.start(context.svc, admin_id(update))
    await send(update, context, views.step_view(t, draft))


async def _preview(
    update: Update, context: BotContext, admin_t: Translator, campaign: Campaign
) -> None:
    """The campaign exactly as a supporter sees it, in each of its languages: the card, every
    page of the text and the signing preview (without their buttons: it is not live yet)."""
    svc = context.svc
    progress = await svc.progress(campaign)
    for language in campaign.languages():
        await send(update, context, views.preview_heading(admin_t, language))
        t = svc.i18n.get(language)
        await send(update, context, View(card(t, campaign, progress).text))
        text = campaign.texts[language]
        for page in range(1, len(paginate(text.paragraphs)) + 1):
            await send(update, context, View(text_page(t, campaign, page).text))
        sample = SigningDraft("", campaign.slug, SigningStep.PREVIEW, name=t._("Your Name"))
        await send(update, context, View(signing_preview(t, campaign, sample).text))


async def _render(update: Update, context: BotContext, t: Translator, result: Any) -> None:
    svc = context.svc
    if isinstance(result, Refused):
        notice = views.refusal(t, result)
        if result.draft is None or result.problem is Problem.STALE:
            await send(update, context, View(notice.rstrip()))
        else:
            await send(update, context, views.step_view(t, result.draft, notice))
    elif isinstance(result, Abandoned):
        await send(update, context, views.abandoned(t))
    elif isinstance(result, Published):
        link = deeplinks.link(context.bot.username, result.campaign.slug)
        await send(update, context, views.published(t, result.campaign, link))
    elif isinstance(result, Draft):
        if result.step is Step.PREVIEW:
            campaign = authoring.preview(svc, result)
            if isinstance(campaign, Refused):
                await send(update, context, View(views.refusal(t, campaign).rstrip()))
                return
            await _preview(update, context, t, campaign)
        if result.step is Step.WAITING:
            campaign = authoring.preview(svc, result)
            if isinstance(campaign, Campaign):
                asking = (result, campaign)
                await tell_admins(
                    context,
                    lambda at: views.waiting_for_you(at, *asking).text,
                    lambda at: markup_of(views.waiting_for_you(at, *asking)),
                    skip=user_id_of(update),
                )
        await send(update, context, views.step_view(t, result))


@organiser_button(Level.ADMIN)
async def on_step(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    answer(update, context)
    result = await authoring.act(
        context.svc, user_id, cb.arg_int(0), cb.arg_int(1), Action(cb.args[2]), cb.args[3]
    )
    await _render(update, context, t, result)


@organiser_button(Level.ADMIN)
async def on_text_decision(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    answer(update, context)
    decided = await campaign_edits.decide_text(
        context.svc, user_id, cb.arg_int(0), cb.arg_int(1), cb.args[2] == "y"
    )
    if isinstance(decided, Refused):
        await send(update, context, View(views.refusal(t, decided).rstrip()))
        return
    title = decided.campaign.text_for(t.language)[0].title
    slug = decided.campaign.slug
    await send(
        update, context, views.text_decided(t, title, decided.language, decided.applied, slug)
    )
    if decided.translator is not None:
        tt = context.svc.i18n.get(decided.reply_language or None)
        view = views.text_decided(tt, title, decided.language, decided.applied)
        try:
            await context.bot.send_message(decided.translator, view.text, parse_mode="HTML")
        except TelegramError:  # the translator blocked the bot: the admins know
            log.warning("a translator could not be told of a decision")


@organiser_button(Level.ADMIN)
async def on_prepare_broadcast(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    """A broadcast draft telling the subscribers that the text changed, in every language of
    the campaign, shown for the usual Confirm (four eyes and all)."""
    svc = context.svc
    answer(update, context)
    campaign = svc.campaign(cb.args[0])
    if campaign is None:
        return
    draft = None
    for language in (campaign.default_language, *campaign.languages()):
        html = views.text_changed_notice(svc.i18n.get(language), campaign, svc.now())
        draft = await broadcasts.add_text(svc, user_id, campaign, language, html)
    assert draft is not None
    language = t.language if t.language in draft.texts else campaign.default_language
    shown = broadcast_views.delivery(
        svc.i18n.get(language), campaign, campaign.slug, draft.texts[language]
    )
    await send(update, context, View(shown.text))
    view = broadcast_views.preview(
        t, campaign, draft.id, language, draft.texts, draft.audience, draft.by_bot
    )
    await send(update, context, view)


async def _document_text(message: Message) -> str | Problem:
    doc = message.document
    assert doc is not None
    name = doc.file_name or ""
    checked = authoring.read_document(name, doc.file_size, None)
    if isinstance(checked, Problem):
        return checked
    file = await doc.get_file()
    return authoring.read_document(name, None, bytes(await file.download_as_bytearray()))


async def on_author_message(update: Update, context: BotContext) -> None:
    """Text or a document from an admin or a translator: a step of the campaign they are
    creating, a language text for a campaign (the caption names it), else the usual
    handling of typed text."""
    svc = context.svc
    message = update.effective_message
    assert message is not None
    user_id = user_id_of(update)
    is_admin = svc.level(user_id) is Level.ADMIN
    t = await translator(update, context)
    if message.document is None:
        result = await authoring.typed(svc, user_id, message.text or "") if is_admin else None
        if result is None:
            await signing.on_text(update, context)
            return
        await _render(update, context, t, result)
        return
    text = await _document_text(message)
    filename = message.document.file_name or ""
    draft = await authoring.current(svc, user_id) if is_admin else None
    if isinstance(text, Problem):
        await _render(update, context, t, Refused(text, draft))
        return
    if draft is not None and draft.step is Step.TEXTS:
        await _render(update, context, t, await authoring.typed(svc, user_id, text, filename))
        return
    caption = message.caption or ""
    shown = await campaign_edits.submit_text(svc, user_id, caption, filename, text, t.language)
    if isinstance(shown, Refused):
        await _render(update, context, t, shown)
        return
    if is_admin:
        await send(update, context, views.text_shown(t, shown, for_admin=True))
        return
    await send(update, context, views.text_shown(t, shown, for_admin=False))
    await tell_admins(
        context,
        lambda at: views.text_shown(at, shown, for_admin=True).text,
        lambda at: markup_of(views.text_shown(at, shown, for_admin=True)),
    )


class _Authors(filters.MessageFilter):
    """Admins and translators: the settings read at each message (tests change them)."""

    def __init__(self, app: BotApp) -> None:
        super().__init__(name="authors")
        self._app = app

    def filter(self, message: Message) -> bool:
        settings = self._app.runtime.services.settings
        user = message.from_user
        return user is not None and (
            user.id in settings.admin_ids or user.id in settings.translator_ids
        )


def register(app: BotApp) -> dict[str, CallbackRoute]:
    """Before the signing flow's handler of typed text: an author's text comes here first."""
    register_commands(
        app,
        {
            "newcampaign": newcampaign_command,
        },
    )
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    authors = _Authors(app) & ~filters.COMMAND & (filters.TEXT | filters.Document.ALL)
    app.add_handler(MessageHandler(private & authors, on_author_message))
    return {
        "nc": on_step,
        "tx": on_text_decision,
        "txb": on_prepare_broadcast,
    }
