"""A reader reports a public name as theirs, signed without them (bot.domain.reports).

The reader names the entry by its place on the list and confirms what they saw; a press
records one report per reader and name (a double tap or a redelivery records nothing more),
within the reader's daily limit. Moderators learn the signature's number, never the reader:
the row keeps only the reader's report pseudonym, for the limit and the double tap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.reports import REPORTS_PER_DAY, Reported, entry_digest
from bot.domain.signatories import Entry, Listing, Window
from bot.storage import reports as report_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    outcome: Reported
    number: int | None = None  # the signature reported: for the moderators' notice
    first: bool = False  # the first report of this name: the moderators are told


async def entry_at(svc: Services, campaign: Campaign, position: int) -> Entry | None:
    """The name at `position` of the bot's public list, as a reader sees it."""
    if position < 1 or not campaign.signatories:
        return None
    window = Window(1, after=position - 1)
    found, _, _ = await svc.pages.read(svc.db, campaign.slug, Listing.of(campaign), window)
    return found[0] if found and found[0].position == position else None


async def report(
    svc: Services, user_id: int, campaign: Campaign, position: int, digest: str
) -> Report:
    """Records the reader's report of the name they confirmed, if it is still there."""
    entry = await entry_at(svc, campaign, position)
    if entry is None or entry_digest(campaign.slug, entry) != digest:
        return Report(Reported.CHANGED)
    reporter = svc.reporter(user_id)
    outcome, first = await report_store.add(
        svc.db, entry.number, campaign.slug, reporter, svc.now(), REPORTS_PER_DAY
    )
    if outcome is Reported.REPORTED:
        log.info("name reported: campaign=%s number=%d", campaign.slug, entry.number)
    return Report(outcome, entry.number, first)


async def reported(svc: Services, campaign: Campaign, limit: int) -> list[tuple[Entry, int]]:
    """The campaign's reported names and how many readers reported each (for /review)."""
    return await report_store.reported(svc.db, campaign.slug, limit)
