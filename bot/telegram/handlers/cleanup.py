"""Leave no trace: delete the conversation from the person's chat, as far as Telegram allows.

Police who stop someone may scroll through their Telegram chats; a chat with a petition bot
that shows a typed name under "Thank you, your signature is recorded" is evidence. Message ids
in a private chat are sequential, so the bot deletes the whole range from where the
conversation began (kept in `trail`, see bot.core.trail) with deleteMessages, 100 ids a
call, which skips what it cannot delete and confirms nothing per message: the closing line
claims no more than that.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError

from bot.core import choices, erasure, people, trail
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotContext
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    delete_incoming,
    person_of,
    send,
    show,
    translator,
    user_id_of,
)
from bot.telegram.views import cleanup as views
from bot.telegram.views.signing import privacy_notice

CHUNK = 100  # deleteMessages takes at most 100 ids
FURTHEST_BACK = 1000  # ids before the newest; older ones are past Telegram's 48 hours anyway
AHEAD = 20  # ids after the pressed message that may exist already (the person's, the bot's)
UNKNOWN_START = 280  # how far back to go when the start of the conversation is not known


async def clean_chat(context: BotContext, chat_id: int, person: str, newest: int) -> bool:
    """Deletes ids from the conversation's start to just after `newest`; True when every
    call succeeded (not that every message was there to delete)."""
    svc = context.svc
    first = await trail.first_message(svc, person, context.bot.id)
    # From where the conversation began, and at least the last few hundred ids (an earlier
    # clean-up's closing line, a conversation whose row expired with its draft): what
    # Telegram cannot find or no longer allows is skipped, at a few calls at most.
    begin = newest - UNKNOWN_START if first is None else min(first, newest - UNKNOWN_START)
    start = max(begin, newest - FURTHEST_BACK, 1)
    ids = list(range(start, newest + AHEAD + 1))
    complete = True
    for i in range(0, len(ids), CHUNK):
        try:
            await context.bot.delete_messages(chat_id, ids[i : i + CHUNK])
        except TelegramError:  # a 429 past the retries, a network failure: go on, say so
            complete = False
    await erasure.forget_trail(svc, person, context.bot.id)
    return complete


def _newest(update: Update) -> int:
    message = update.effective_message
    return message.message_id if message is not None else 0


async def leave_no_trace(update: Update, context: BotContext, stopped: bool = False) -> None:
    """Cleans the chat up and leaves one neutral line (it names no campaign)."""
    t = await translator(update, context)
    chat = update.effective_chat
    assert chat is not None
    complete = await clean_chat(context, chat.id, person_of(update, context), _newest(update))
    await send(update, context, views.cleaned(t, complete, stopped))
    context.svc.forget_trail(person_of(update, context), context.bot.id)  # the line is untracked


async def auto_clean_wanted(update: Update, context: BotContext) -> bool:
    return await trail.auto_clean(context.svc, person_of(update, context))


async def subscribed(update: Update, context: BotContext) -> bool:
    """Whether to offer "Leave no trace and stop all updates" too."""
    return await people.subscribed_anywhere(context.svc, user_id_of(update))


async def on_clean(update: Update, context: BotContext, cb: Callback) -> None:
    answer(update, context)
    await leave_no_trace(update, context)


async def on_clean_all(update: Update, context: BotContext, cb: Callback) -> None:
    """One tap: every subscription of the person goes first (so no broadcast can land in the
    chat just cleaned), then the chat is cleaned. A second tap stops nothing more."""
    answer(update, context)
    await erasure.stop_all_updates(context.svc, user_id_of(update))
    await leave_no_trace(update, context, stopped=True)


async def on_clean_note(update: Update, context: BotContext, cb: Callback) -> None:
    """The clean-up's note deletes itself, leaving the chat empty."""
    if await delete_incoming(update, context):
        answer(update, context)
        return
    t = await translator(update, context)
    refused = t._("Telegram did not let me delete this note; you can delete it yourself.")
    answer(update, context, refused, alert=True)


async def on_auto(update: Update, context: BotContext, cb: Callback) -> None:
    """The person's own choice, kept where bot.core.choices says."""
    svc = context.svc
    t = await translator(update, context)
    on = cb.args[0] == "1"
    await choices.set_auto_clean(svc, user_id_of(update), on)
    answer(
        update,
        context,
        t._("Automatic clean-up after signing: on")
        if on
        else t._("Automatic clean-up after signing: off"),
    )
    notice = privacy_notice(t, svc.settings)
    view = views.privacy_view(t, notice, on, await subscribed(update, context))
    await show(update, context, view)


def routes() -> dict[str, CallbackRoute]:
    return {
        "clean": on_clean,
        "cleanall": on_clean_all,
        "cleannote": on_clean_note,
        "auto": on_auto,
    }
