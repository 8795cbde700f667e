"""A person's own choices (language, automatic clean-up), and where they are kept.

Someone who has not signed anything is a visitor: their choices live on their draft row and
expire with it (DRAFT_TTL_HOURS), so a visitor leaves nothing that outlives an unfinished
signature. Signing moves them into `preferences` in the signature's own transaction
(bot.storage.drafts.take); a signer's choices go there directly and expire after
`preference_days`. Off is the default, so switching clean-up off keeps nothing.
"""

from __future__ import annotations

from enum import Enum, auto

from bot.config import Settings, draft_lifetime
from bot.core import erasure, people
from bot.core.services import Services
from bot.storage import drafts as draft_store
from bot.storage import signers as signer_store
from bot.storage import trail as trail_store


class Kept(Enum):
    WITH_DRAFT = auto()  # a visitor's: erased with their unfinished signature
    PREFERENCE = auto()  # a signer's: erased `preference_days` after the last change


def preference_days(settings: Settings) -> int:
    """Days a signer's untouched preferences live: PREFERENCES_DAYS, or RETENTION_DAYS when
    that is shorter."""
    return min(settings.preferences_days, settings.retention_days or settings.preferences_days)


async def where_kept(svc: Services, user_id: int) -> Kept:
    signed = bool(await people.signatures_of(svc, user_id))
    return Kept.PREFERENCE if signed else Kept.WITH_DRAFT


async def set_language(svc: Services, user_id: int, language: str) -> Kept:
    person = svc.person(user_id)
    kept = await where_kept(svc, user_id)
    if kept is Kept.PREFERENCE:
        theirs = await svc.subscriptions_of(user_id)
        await signer_store.set_language(svc.db, person, theirs, language, svc.now())
    else:
        ttl = draft_lifetime(svc.settings)
        await draft_store.choose(svc.db, person, svc.now(), ttl, language=language)
    svc.remember_language(person, language)
    return kept


async def set_auto_clean(svc: Services, user_id: int, on: bool) -> None:
    """On is kept where `where_kept` says; off erases the choice wherever it was."""
    person = svc.person(user_id)
    if not on:
        await erasure.auto_clean_off(svc, person)
    elif await where_kept(svc, user_id) is Kept.PREFERENCE:
        await trail_store.auto_clean_on(svc.db, person, svc.now())
    else:
        ttl = draft_lifetime(svc.settings)
        await draft_store.choose(svc.db, person, svc.now(), ttl, auto_clean=True)
