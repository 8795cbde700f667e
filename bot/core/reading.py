"""Reading a campaign: which one a person has open, the visit a link records, and the
attribution of links to where they were posted (sources)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core import drafts, erasure, people
from bot.core.erasure import Decided
from bot.core.services import Services
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.domain.goals import Progress
from bot.domain.signatures import Counted, Draft, Step
from bot.storage import signatures as signature_store
from bot.storage import sources as source_store
from bot.storage.funnel import Event
from bot.storage.signatures import Counter


async def current_campaign(svc: Services, user_id: int) -> Campaign | None:
    """The campaign a command without arguments is about: the one the person has open (their
    draft), else the one they signed last, else the only campaign there is."""
    draft = await drafts.live(svc, svc.person(user_id))
    if draft is not None and (campaign := svc.campaign(draft.campaign)) is not None:
        return campaign
    # After signing the draft is gone; the person's own newest signature says which one.
    for signature in reversed(await people.signatures_of(svc, user_id)):
        if (campaign := svc.campaign(signature.campaign)) is not None:
            return campaign
    every = svc.campaigns.all()
    if len(every) == 1:
        return every[0]
    open_now = svc.campaigns.open()
    return open_now[0] if len(open_now) == 1 else None


def _visit(
    person: str, campaign: Campaign, source: str | None, draft: Draft | None, now: int
) -> tuple[Draft | None, list[Event]]:
    """Which campaign a person opened, and from which link, lives in a draft and expires with
    it: no per-person row outlives it. A signing already under way is left alone. The draft
    to write (None: none) and the event it counts (a repeat counts once)."""
    if draft is not None and draft.campaign == campaign.slug:
        if source and draft.source != source:
            return replace(draft, source=source), []
        return None, []
    if draft is not None and draft.signing:
        return None, []
    visit = Draft(
        person, campaign.slug, Step.VISIT, updated_at=now, source=source, counted=Counted.OPENED
    )
    return visit, [Event.OPENED]


async def remember_visit(
    svc: Services, user_id: int, campaign: Campaign, source: str | None
) -> None:
    """The visit (`_visit`), in one round trip."""
    person, now = svc.person(user_id), svc.now()

    def decide(_: Any, draft: Draft | None) -> Decided[None]:
        return None, *_visit(person, campaign, source, draft, now)

    await erasure.change_draft(svc, person, decide)


@dataclass(frozen=True)
class Opened:
    """What /start opened: a campaign's card, or (None) the list of campaigns."""

    campaign: Campaign | None
    unknown_link: bool  # the payload named no campaign: the list says so
    progress: Progress | None = None  # the campaign's, read in the same transaction


async def start(svc: Services, user_id: int, payload: str) -> Opened:
    """/start with a deep link's payload (`<slug>` or `<slug>_<source>`), or without one: the
    visit remembered, a link's visit counted and the card's count read in one round trip."""
    campaign, source, linked = None, None, False
    unknown = False
    if payload:
        decoded = deeplinks.decode(payload)
        campaign = svc.campaign(decoded[0]) if decoded else None
        if campaign is None or decoded is None:
            unknown = True
        else:
            source, linked = decoded[1], True
    if campaign is None:
        campaigns = svc.campaigns.shown()
        if len(campaigns) != 1:
            return Opened(None, unknown)
        campaign = campaigns[0]
    opened, person, now = campaign, svc.person(user_id), svc.now()

    def decide(conn: Any, draft: Draft | None) -> Decided[Counter]:
        counted = source_store.visited(conn, opened.slug, source, person) if linked else None
        new, events = _visit(person, opened, counted, draft, now)
        return signature_store.read_counter(conn, opened.slug, now), new, events

    counter, _ = await erasure.change_draft(svc, person, decide)
    return Opened(campaign, unknown, svc.progress_of(campaign, counter))


async def inline_source(svc: Services) -> str:
    """The one source that stands for cards posted through inline mode."""
    return await source_store.for_inline(svc.db, svc.now())
