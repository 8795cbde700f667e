"""Reading a campaign: which one a person has open, the visit a link records, and the
attribution of links to where they were posted (sources)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core import drafts, people
from bot.core.services import Services
from bot.domain import deeplinks
from bot.domain.campaigns import Campaign
from bot.domain.signatures import Counted, Draft, Step
from bot.storage import sources as source_store
from bot.storage.funnel import Event


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


async def remember_visit(
    svc: Services, user_id: int, campaign: Campaign, source: str | None
) -> None:
    """Which campaign a person opened, and from which link, lives in a draft and expires with
    it: no per-person row outlives it. A signing already under way is left alone."""
    person = svc.person(user_id)
    draft = await drafts.live(svc, person)
    if draft is not None and draft.campaign == campaign.slug:
        if source and draft.source != source:
            await drafts.write_if(svc, draft, replace(draft, source=source))
        return
    if draft is not None and draft.signing:
        return
    visit = Draft(
        person,
        campaign.slug,
        Step.VISIT,
        updated_at=svc.now(),
        source=source,
        counted=Counted.OPENED,
    )
    await drafts.write_if(svc, draft, visit, [Event.OPENED])  # a repeat counts once


@dataclass(frozen=True)
class Opened:
    """What /start opened: a campaign's card, or (None) the list of campaigns."""

    campaign: Campaign | None
    unknown_link: bool  # the payload named no campaign: the list says so


async def start(svc: Services, user_id: int, payload: str) -> Opened:
    """/start with a deep link's payload (`<slug>` or `<slug>_<source>`), or without one."""
    campaign = None
    unknown = False
    if payload:
        decoded = deeplinks.decode(payload)
        campaign = svc.campaign(decoded[0]) if decoded else None
        if campaign is None or decoded is None:
            unknown = True
        else:
            source = decoded[1]
            if source and not await source_store.exists(svc.db, source):
                source = None
            await remember_visit(svc, user_id, campaign, source)
            await source_store.count_visit(svc.db, campaign.slug, source)
    if campaign is None:
        campaigns = svc.campaigns.shown()
        if len(campaigns) == 1:
            campaign = campaigns[0]
            await remember_visit(svc, user_id, campaign, None)
    return Opened(campaign, unknown)


async def inline_source(svc: Services) -> str:
    """The one source that stands for cards posted through inline mode."""
    return await source_store.for_inline(svc.db, svc.now())
