"""Where each private conversation began, for "leave no trace" (bot.telegram.handlers.cleanup),
and the person's choice of an automatic clean-up after signing."""

from __future__ import annotations

from typing import Any

from bot.config import Settings, draft_lifetime
from bot.core.services import Services, TrailNote
from bot.storage import trail as trail_store

# Telegram lets a bot delete a message in a private chat for 48 hours after it was sent.
DELETE_WINDOW = 48 * 3600


def keep(settings: Settings) -> int:
    """How long a conversation's row is kept: as long as Telegram allows deleting, but never
    longer than a draft lives, so that someone who never signed leaves nothing behind that
    outlives it."""
    return min(DELETE_WINDOW, draft_lifetime(settings))


def owe(svc: Services, user_id: int, bot: int, message_id: int) -> None:
    """A message of the person's private chat with `bot` (its getMe id): the first one, then
    at most hourly (see Services.trail_due), is owed to the trail. The update's first
    transaction on the person's rows writes it (bot.core.erasure), or `settle` as the update
    ends, so an update that writes anyway makes no round trip for it."""
    person = svc.person(user_id)
    if svc.trail_due(person, bot):
        svc.owe_trail(person, ((bot, message_id, svc.now()),))


async def settle(svc: Services, person: str) -> None:
    """Writes what the person's update still owes the trail: as it ends, and before the
    trail is read."""
    owed = svc.take_trail_owed(person)
    for bot, message_id, when in owed:
        await trail_store.note(svc.db, person, bot, message_id, when, keep(svc.settings))


def write_owed(svc: Services, conn: Any, person: str, owed: tuple[TrailNote, ...]) -> None:
    """`settle` inside the caller's transaction, for notes it took (Services.take_trail_owed)."""
    for bot, message_id, when in owed:
        trail_store.note_in(conn, person, bot, message_id, when, keep(svc.settings))


async def first_message(svc: Services, person: str, bot: int) -> int | None:
    """The oldest message id of the conversation with `bot` still deletable, if known."""
    await settle(svc, person)
    return await trail_store.first_message(svc.db, person, bot, svc.now(), keep(svc.settings))


async def auto_clean(svc: Services, person: str) -> bool:
    """Whether the person chose automatic clean-up (bot.core.choices)."""
    stale = svc.now() - draft_lifetime(svc.settings)
    return await trail_store.auto_clean(svc.db, person, stale)


async def held(svc: Services, person: str, bot: int) -> trail_store.Held | None:
    """What the trail holds for /mydata: where the conversation with `bot` began, and until
    when."""
    await settle(svc, person)
    return await trail_store.held(svc.db, person, bot, svc.now(), keep(svc.settings))
