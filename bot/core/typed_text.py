"""Text typed into the signing flow: read at the step the draft is at (bot.domain.flow), and
written by compare-and-set like every other step change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import Any

from bot.core import drafts, erasure
from bot.core.erasure import Decided
from bot.core.services import Services
from bot.core.signing import first_named
from bot.domain import flow
from bot.domain.campaigns import Campaign
from bot.domain.flow import Action
from bot.domain.signatures import Draft, Step
from bot.storage.funnel import Event


class Read(Enum):
    POINTER = auto()  # no flow to type into: `campaign` is the open one being read, if any
    REDELIVERED = auto()  # already handled: nothing to do
    CLOSED = auto()  # the campaign closed mid-flow: the draft is erased, nothing recorded
    FORWARDED = auto()  # forwarded messages are not used
    NOT_TEXT = auto()  # a photo, a sticker…
    REJECTED = auto()  # `rejected` says which rule it broke
    NO_ROOM = auto()  # typed at the preview with role and organisation filled: nothing changed
    ACCEPTED = auto()  # `draft` is the flow's next step
    LOST = auto()  # a newer change came first: nothing to show


@dataclass(frozen=True)
class Typed:
    """What typed text did. `before` is the draft it was read into (the typed message goes
    from the chat whenever there is one); `draft` is the one stored now; `filled`, the fields
    text typed at the preview went into."""

    read: Read
    campaign: Campaign | None = None
    before: Draft | None = None
    draft: Draft | None = None
    rejected: flow.Rejected | None = None
    filled: tuple[tuple[flow.Field, str], ...] = ()


async def read_typed(
    svc: Services, user_id: int, bot: int, message_id: int, text: str, forwarded: bool
) -> Typed:
    """Typed text in the chat with `bot`. Message ids are numbered per bot, so the draft's
    ids count only in the chat they came from: text on another bot moves the flow there."""
    person, now = svc.person(user_id), svc.now()

    def decide(_: Any, current: Draft | None) -> Decided[Typed]:
        return _read(svc, current, bot, message_id, text, forwarded, now)

    typed, written = await erasure.change_draft(svc, person, decide)
    if typed.read is Read.CLOSED:
        await erasure.drop_draft(svc, person, cancelled=False)
    if typed.read is Read.ACCEPTED and not written:
        return Typed(Read.LOST, typed.campaign, typed.before)
    return typed


def _read(
    svc: Services,
    current: Draft | None,
    bot: int,
    message_id: int,
    text: str,
    forwarded: bool,
    now: int,
) -> Decided[Typed]:
    """What the text does to the live draft `current`, and the draft to write (one
    transaction with the read: bot.core.erasure.change_draft)."""
    if current is None or not flow.accepts(flow.stage(current), Action.TEXT):
        visiting = svc.campaign(current.campaign) if current is not None else None
        shown = visiting if visiting is not None and visiting.is_open else None
        return Typed(Read.POINTER, shown), None, ()
    if current.bot == bot and message_id <= current.last_update:
        return Typed(Read.REDELIVERED), None, ()
    campaign = svc.campaign(current.campaign)
    if campaign is None or not campaign.is_open:
        return Typed(Read.CLOSED, campaign), None, ()
    here = current.message_id if current.bot == bot else None
    seen = replace(current, last_update=message_id, updated_at=now, message_id=here, bot=bot)
    if forwarded or not text:
        read = Read.FORWARDED if forwarded else Read.NOT_TEXT
        return Typed(read, campaign, current, seen), seen, ()
    result = flow.read_text(seen, text, now)
    if isinstance(result, flow.Rejected):
        return Typed(Read.REJECTED, campaign, current, seen, result), seen, ()
    if isinstance(result, flow.NoRoom):
        return Typed(Read.NO_ROOM, campaign, current, seen), seen, ()
    events: list[Event] = []
    new = result.draft
    if current.step is Step.NAME:
        new, events = first_named(new)
    return Typed(Read.ACCEPTED, campaign, current, new, filled=result.filled), new, events


async def shown_in(svc: Services, draft: Draft, bot: int, message_id: int) -> None:
    """The flow message is now `message_id` in the chat with `bot` (the old one could not be
    edited, or was no longer the newest in the chat): later steps edit this one."""
    if (draft.message_id, draft.bot) != (message_id, bot):
        await drafts.write_if(svc, draft, replace(draft, message_id=message_id, bot=bot))
