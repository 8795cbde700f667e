"""Groups: the language their administrators chose for the bot's posts, and the source that
attributes links posted there. A group's chat id identifies a group, not a person."""

from __future__ import annotations

from bot.config import SUPPORTED_LANGUAGES
from bot.core import erasure
from bot.core.services import Services
from bot.domain.text_rules import clean_label
from bot.storage import groups as group_store
from bot.storage import sources as source_store


async def language_of(svc: Services, chat_id: int) -> str | None:
    """The language the group's administrators chose, if the bot still speaks it."""
    language = await group_store.language(svc.db, chat_id)
    return language if language in SUPPORTED_LANGUAGES else None


async def choose_language(svc: Services, chat_id: int, language: str | None) -> None:
    """An administrator's choice; None clears it (the group's row goes)."""
    if language is None:
        await erasure.forget_group_language(svc, chat_id)
    else:
        await group_store.set_language(svc.db, chat_id, language, svc.now())


async def source_of(svc: Services, chat_id: int, title: str) -> str:
    """The group's source code for links posted there, created on first use; its title is
    anyone's text (bidi overrides included), cleaned like a name."""
    return await source_store.for_group(svc.db, chat_id, clean_label(title), svc.now())


async def moved(svc: Services, old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup with a new id: its language and source follow it."""
    await group_store.moved(svc.db, old_chat_id, new_chat_id)
