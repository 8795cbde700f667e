"""The public signatory list, a page at a time (bot.domain.signatories says who appears)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.signatories import Entry, Listing, Page, Window
from bot.storage import signatories as store

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
    position `upto` (paging back), clamped to the list: `fetch` entries read, as many as
    `fitting` kept. One short read on the read connection, from the nearest page start."""
    listing = Listing.of(campaign)
    window = Window(fetch, after, upto)

    async def waiting_now() -> int:
        return await store.waiting_in_list(svc.db, campaign.slug, listing)

    # With review, every name not yet approved; without, the look-alikes held for a check.
    waiting = await svc.recent(("waiting", campaign.slug, listing), waiting_now)
    found, listed, total = await svc.pages.read(svc.db, campaign.slug, listing, window)
    if window.clamped(listed)[2]:  # filled from its end: keep the names nearest to it
        nearest_first = found[::-1]
        entries = nearest_first[: fitting(nearest_first)][::-1]
    else:
        entries = found[: fitting(found)]
    return Page(
        entries=tuple(entries),
        listed=listed,
        waiting=waiting,
        others=max(0, total - listed - waiting),
    )
