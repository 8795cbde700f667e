"""Announcements to every admin: one message to each admin's private chat with the bot.

What is announced is an organiser's own conduct (a budget run out, a request awaiting a
second admin), or a reader's report of a public name by its signature number; never who
reported it. An admin who never opened the bot (Telegram answers "bot can't
initiate conversation" or "chat not found"), blocked it, or whose send failed is skipped, so
the others are still told; the caller learns who was not reached. A failed send is not
repeated: it may have arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def admin_translator(context: BotContext, admin_id: int) -> Translator:
    """The admin's chosen language when the bot knows it without a slow computation (they
    used it in the last minutes), else DEFAULT_LANGUAGE."""
    svc = context.svc
    person = svc.known_person(admin_id)
    language = await svc.language_of(person, None) if person is not None else None
    return svc.i18n.get(language)


async def tell_admins(
    context: BotContext,
    text: Callable[[Translator], str],
    markup: Callable[[Translator], InlineKeyboardMarkup] | None = None,
    *,
    moderators: bool = False,
    skip: int | None = None,
) -> tuple[int, ...]:
    """Sends `text` (HTML, made in each admin's language; with the buttons `markup` makes)
    to every admin in ADMIN_IDS, and with `moderators` to every moderator too (but `skip`, who
    asked); returns the organisers it did not reach."""
    unreached = []
    settings = context.svc.settings
    chosen = settings.admin_ids | (settings.moderator_ids if moderators else frozenset())
    for admin_id in sorted(chosen - {skip}):
        t = await admin_translator(context, admin_id)
        buttons = markup(t) if markup is not None else None
        try:
            await context.bot.send_message(
                admin_id, text(t), parse_mode=ParseMode.HTML, reply_markup=buttons
            )
        except TelegramError as exc:  # never opened the bot, blocked it, or Telegram failed
            log.warning("an announcement to an admin failed: %s", exc.__class__.__name__)
            unreached.append(admin_id)
    return tuple(unreached)
