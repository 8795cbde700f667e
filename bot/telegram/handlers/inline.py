"""Inline mode: @bot in any chat lists the open campaigns as cards to post."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.core import reading
from bot.domain import deeplinks
from bot.domain.text_rules import clean
from bot.telegram.context import BotApp, BotContext
from bot.telegram.views import sharing as views
from bot.telegram.views.common import shorten

MAX_RESULTS = 50


async def on_inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    svc = context.svc
    t = await svc.translator_for(query.from_user)
    words = clean(query.query).lower().split()[:10]
    source = await reading.inline_source(svc)
    results = []
    for campaign in svc.campaigns.open():
        text, _ = campaign.text_for(t.language)
        haystack = f"{campaign.slug} {text.title} {text.summary}".lower()
        if words and not all(word in haystack for word in words):
            continue
        link = deeplinks.link(context.bot.username, campaign.slug, source)
        progress = await svc.progress(campaign)
        list_link = deeplinks.list_link(context.bot.username, campaign.slug)
        card = views.compact_card(t, campaign, progress, link, list_link)
        results.append(
            InlineQueryResultArticle(
                id=campaign.slug,
                title=shorten(text.title, 100),
                description=shorten(text.summary, 120),
                input_message_content=InputTextMessageContent(card.text, parse_mode=ParseMode.HTML),
                reply_markup=card.markup,
            )
        )
        if len(results) == MAX_RESULTS:
            break
    await query.answer(results, cache_time=30, is_personal=True)


def register(app: BotApp) -> None:
    app.add_handler(InlineQueryHandler(on_inline_query))
