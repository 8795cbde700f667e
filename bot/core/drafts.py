"""A person's draft: how long it lives, and the one way it is written (compare-and-set).

A draft is the signing flow's state (bot.domain.flow), or a visit: which campaign a person
opened and from which link. Every change is written only if the stored draft is still the
one the change was computed from, so a double tap, a redelivered update or a tap on an old
message can never overwrite a newer draft.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import draft_lifetime
from bot.core import erasure
from bot.core.services import Services
from bot.domain.signatures import Draft
from bot.storage import drafts as draft_store
from bot.storage.funnel import Event


async def live(svc: Services, person: str) -> Draft | None:
    """The person's draft, unless it has outlived `lifetime`."""
    return await draft_store.get(svc.db, person, svc.now(), draft_lifetime(svc.settings))


async def write_if(
    svc: Services, expected: Draft | None, draft: Draft, events: Iterable[Event] = ()
) -> bool:
    """Writes `draft` (counting `events`) only if the stored draft is still `expected`, as
    read by `live` (None: no live draft)."""
    return await erasure.replace_draft(svc, expected, draft, events)
