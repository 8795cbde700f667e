"""The published site's facts, read through storage: counts, goals and, only with consent,
the names the web lists (bot.domain.signatories, Place.WEB). bot.site renders them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from bot.core import bots
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.signatories import Listing
from bot.exports.qr import qr_matrix
from bot.site import CampaignFacts, Names, SiteFacts, build
from bot.storage import signatories as signatory_store


async def campaign_facts(svc: Services, campaign: Campaign, sign_link: str) -> CampaignFacts:
    progress = await svc.progress(campaign)
    listing = Listing.of(campaign)
    names: Names | None = None
    if listing.on_web:
        entries = tuple([e async for e in signatory_store.on_web(svc.db, campaign.slug, listing)])
        names = Names(entries, max(0, progress.count - len(entries)))
    return CampaignFacts(campaign, progress, qr_matrix(sign_link), names)


async def site_files(svc: Services) -> dict[str, bytes]:
    """Every file of the site, naming the official bots the database advertises (primary
    first: its link is the sign link; a dormant bot never). At least one must be known."""
    settings = svc.settings
    await bots.load(svc)  # roles as they are now, whichever worker changed them
    official = tuple(bots.official_usernames(svc))
    assert official, "the bots table names a primary once a bot started"
    site = SiteFacts(
        campaigns=(),
        bots=official,
        published_at=datetime.fromtimestamp(svc.now(), UTC),
        base_url=settings.publish_url,
        default_language=settings.default_language,
    )
    facts = []
    for campaign in svc.campaigns.all():
        facts.append(await campaign_facts(svc, campaign, site.sign_link(campaign.slug)))
    site = replace(site, campaigns=tuple(facts))
    translators = {lang: svc.i18n.get(lang) for lang in svc.i18n.languages()}
    # Rendering 100,000 names takes seconds (`python -m bench --only publish`): off the event
    # loop, so signing never waits for it.
    return await asyncio.to_thread(build, site, translators)
