"""The public signatory list, a page at a time (bot.domain.signatories says who appears)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.signatories import Entry, Listing, Page, Place
from bot.storage import signatories as store
from bot.storage import signatures as signature_store

# How many of the entries read fit on one page (at least one): the view's measure.
Fitting = Callable[[Sequence[Entry]], int]


async def page_of(
    svc: Services,
    campaign: Campaign,
    fetch: int,
    fitting: Fitting,
    *,
    after: int = 0,
    upto: int | None = None,
) -> Page:
    """The page after position `after` (0: the first page), or the one ending just before
    position `upto` (paging back): `fetch` entries read, as many as `fitting` kept."""
    listing = Listing.of(campaign)

    async def totals() -> tuple[int, int, int]:
        """Listed, waiting and all signatures, counted together so that they add up."""
        listed = await store.count(svc.db, campaign.slug, listing, Place.BOT)
        waiting = (
            await store.waiting_count(svc.db, campaign.slug, listing) if listing.reviewed else 0
        )
        return listed, waiting, await signature_store.count(svc.db, campaign.slug)

    listed, waiting, total = await svc.recent(("list", campaign.slug, listing), totals)
    if upto is not None and upto <= 1:  # nothing before the first name: the first page
        upto = None
    if upto is not None:
        start = max(0, upto - 1 - fetch)
        found = await store.listed(svc.db, campaign.slug, listing, start, upto - 1 - start)
        nearest_first = found[::-1]
        entries = nearest_first[: fitting(nearest_first)][::-1]
    else:
        found = await store.listed(svc.db, campaign.slug, listing, after, fetch)
        entries = found[: fitting(found)]
    if entries:  # the counts may be a few seconds old; positions are exact
        listed = max(listed, entries[-1].position)
    return Page(
        entries=tuple(entries),
        listed=listed,
        waiting=waiting,
        others=max(0, total - listed - waiting),
    )
