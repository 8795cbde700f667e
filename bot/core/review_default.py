"""Public names are reviewed by default (migrations/0012): what the upgrade keeps listed, the
warning for a campaign that keeps listing without review, and the skeletons of names signed
before the look-alike check (migrations/0014)."""

from __future__ import annotations

import logging

from bot.core.services import Services
from bot.domain.lookalikes import unicode_tables
from bot.storage import signatories as store

log = logging.getLogger(__name__)


async def settle(svc: Services) -> int:
    """Review became the default (migrations/0012): the public names a loaded campaign listed
    without review before the upgrade are approved, so nothing listed or printed disappears;
    a campaign whose file turned review on itself never listed them. Runs at start and after
    a reload (a campaign loaded later is settled then); how many names were approved."""
    approved = 0
    for slug in await store.marked_listed_without_review(svc.db):
        campaign = svc.campaign(slug)
        if campaign is None:
            continue
        was_reviewed = campaign.review_explicit and campaign.review_public_names
        count = await store.settle_listed_without_review(svc.db, slug, not was_reviewed)
        log.info(
            "review by default: %d names listed before the upgrade approved in %s", count, slug
        )
        approved += count
    if approved:
        svc.forget_recent()
    return approved


def warnings(svc: Services) -> list[str]:
    """One line per campaign that lists public names without review (`review_public_names =
    false`): anyone can then put a real person's name on its list at once."""
    return [
        f"campaign {c.slug}: review_public_names = false: public names are listed without"
        " review, so anyone can put a real person's name on its list; remove the line to"
        " review them"
        for c in svc.campaigns.all()
        if not c.review_public_names
    ]


async def fill_skeletons(svc: Services, batch: int = 2000) -> int:
    """The look-alike check compares new public names with the skeletons of listed ones
    (migrations/0014): names signed before it get theirs at the first start, before the bot
    serves; how many."""
    if not await store.skeletons_pending(svc.db):
        return 0
    filled, after = 0, 0
    while True:
        rows = await store.without_skeleton(svc.db, after, batch)
        shapes = [(number, name, unicode_tables().skeleton(name)) for number, name in rows]
        await store.set_skeletons(svc.db, shapes, done=len(rows) < batch)
        filled += len(rows)
        if len(rows) < batch:
            break
        after = rows[-1][0]
    log.info("look-alike check: skeletons of %d public names signed before", filled)
    return filled
