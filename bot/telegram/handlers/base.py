"""Helpers every handler uses to answer: edit in place for buttons, send for commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.client import SEND_TRIES, may_send_again
from bot.telegram.context import BotContext
from bot.telegram.views.common import View

log = logging.getLogger(__name__)


def _no_preview() -> dict[str, bool]:
    """LinkPreviewOptions as the Bot API takes it: PTB's conversion of the object on every
    call cost ~30 µs (issue 32)."""
    return {"is_disabled": True}


CallbackRoute = Callable[[Update, BotContext, Callback], Awaitable[None]]
T = TypeVar("T")


async def translator(update: Update, context: BotContext) -> Translator:
    return await context.svc.translator_for(update.effective_user)


def user_id_of(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


def person_of(update: Update, context: BotContext) -> str:
    """The per-person pseudonym (drafts, preferences) of whoever sent the update."""
    return context.svc.person(user_id_of(update))


async def _call(context: BotContext, method: str, **params: Any) -> Any:
    """A Bot API call whose reply stays raw JSON.

    PTB would turn each reply into a full Message with its keyboard, which costs more than our
    own handling of the update; the flow only ever needs the message id.
    """
    kwargs = {key: value for key, value in params.items() if value is not None}
    return await context.bot.do_api_request(method, api_kwargs=kwargs)


async def sending(send_once: Callable[[], Awaitable[T]], harmless: bool) -> T:
    """One send, made again as bot.telegram.client.may_send_again allows (a card or a list
    that may not have arrived goes again rather than ending in "try again")."""
    tries = 1
    while True:
        try:
            return await send_once()
        except NetworkError as exc:
            if tries >= SEND_TRIES or not may_send_again(exc, harmless):
                raise
            tries += 1


async def send(update: Update, context: BotContext, view: View) -> int:
    """Sends `view` as a new message; returns its id."""
    chat = update.effective_chat
    assert chat is not None
    sent = await sending(
        lambda: _call(
            context,
            "sendMessage",
            chat_id=chat.id,
            text=view.text,
            parse_mode=ParseMode.HTML,
            reply_markup=view.markup,
            link_preview_options=_no_preview(),
        ),
        view.harmless,
    )
    return int(sent["message_id"])


async def show(update: Update, context: BotContext, view: View) -> int:
    """Edits the pressed message in place (returns its id); sends a new one otherwise."""
    query = update.callback_query
    message_id = query.message.message_id if query is not None and query.message else None
    return await edit(update, context, message_id, view)


async def edit(update: Update, context: BotContext, message_id: int | None, view: View) -> int:
    """Edits message `message_id` of this chat (returns its id); sends a new one when there
    is none or it can no longer be edited (deleted by the person, or too old)."""
    chat = update.effective_chat
    if message_id is not None and chat is not None:
        try:
            await _call(
                context,
                "editMessageText",
                chat_id=chat.id,
                message_id=message_id,
                text=view.text,
                parse_mode=ParseMode.HTML,
                reply_markup=view.markup,
                link_preview_options=_no_preview(),
            )
            return message_id
        except BadRequest as exc:
            if "not modified" in exc.message:
                return message_id
            if "not found" not in exc.message and "can't be edited" not in exc.message:
                raise
    return await send(update, context, view)


async def delete_incoming(update: Update, context: BotContext) -> bool:
    """Deletes the update's message: the person's own (a typed name must not stay in their
    chat), or the one whose button was pressed (a list that gave way to what was picked).

    Telegram refuses for a message that is gone or too old; that is not an error here."""
    message = update.effective_message
    if message is None:
        return False
    try:
        await _call(
            context, "deleteMessage", chat_id=message.chat_id, message_id=message.message_id
        )
    except TelegramError as exc:  # gone, too old, or Telegram unreachable: go on signing
        log.debug("could not delete a message: %s", exc.__class__.__name__)
        return False
    return True


def delete_aside(update: Update, context: BotContext) -> None:
    """Deletes the update's message (as `delete_incoming`) without waiting for it: the edit
    that follows does not depend on it, and a deletion is safe to repeat."""
    context.runtime.side_calls.start(delete_incoming(update, context), "deleteMessage")


def answer(
    update: Update, context: BotContext, text: str | None = None, alert: bool = False
) -> None:
    """Every callback query is answered, or the client shows a spinner for a long time.

    Started, not awaited (bot.telegram.side_calls): what the tap changes is recorded before
    this is called, and the edit that follows need not wait for Telegram's reply to it."""
    query = update.callback_query
    if query is None:
        return
    context.runtime.side_calls.start(_answer(query, text, alert), "answerCallbackQuery")


async def _answer(query: CallbackQuery, text: str | None, alert: bool) -> None:
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except BadRequest as exc:  # too old or already answered (a redelivery): harmless
        log.debug("callback answer refused: %s", exc.message)


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


def profile_name(update: Update) -> str | None:
    user = update.effective_user
    if user is None:
        return None
    return " ".join(p for p in (user.first_name, user.last_name) if p) or None
