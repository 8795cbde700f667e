"""The campaigns in use: those of CAMPAIGNS_DIR and those the database owns, and the owner rule.

A campaign is owned by its folder (edited on the server, put in use by /reload; the bot never
writes to CAMPAIGNS_DIR, which may be read-only) or by the database (created or imported
through the bot, edited from Telegram). Once the database owns a slug, a folder of that slug
is ignored (logged once per load): `campaigns import` moved it. Every language text of every
campaign is recorded as a version (bot.domain.versions) when it comes into use.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.core.content import (
    CampaignFiles,
    ContentError,
    campaign_problems,
    load_campaigns,
    parse_campaign,
    readable,
)
from bot.core.services import Services
from bot.domain.campaign_meta import render_meta
from bot.domain.campaigns import Campaign, CampaignSet, Owner
from bot.domain.versions import History, Version
from bot.storage import campaigns as store
from bot.storage.engine import Database

log = logging.getLogger(__name__)


def _texts(campaign: Campaign) -> list[store.NewText]:
    return [
        store.NewText(language, text.version, text.source)
        for language, text in sorted(campaign.texts.items())
    ]


async def _owned(db: Database, where: Path) -> list[Campaign]:
    """The campaigns the database owns; one that no longer loads (a language dropped from the
    bot, say) is left out with a log line, never stopping the others."""
    campaigns = []
    for row in await store.owned(db):
        try:
            files = CampaignFiles(row.meta, row.texts)
            campaigns.append(parse_campaign(files, where / row.slug, Owner.DATABASE))
        except ContentError as exc:
            log.error("campaign %s in the database does not load: %s", row.slug, exc.problem)
    return campaigns


async def settle(svc: Services, folder: list[Campaign]) -> list[str]:
    """`folder`'s campaigns and the database's in use together (the database's win a slug);
    every text in use recorded as a version. Returns the folders ignored for it."""
    root = svc.settings.campaigns_dir
    owned = await _owned(svc.db, root)
    taken = {c.slug for c in owned}
    ignored = [c.slug for c in folder if c.slug in taken]
    for slug in ignored:
        log.warning("campaign folder %s ignored: the database owns this campaign", slug)
    kept = [c for c in folder if c.slug not in taken]
    now = svc.now()
    for campaign in kept:  # a folder's text edited on the server becomes a new version
        await store.record_texts(svc.db, campaign.slug, _texts(campaign), "", now)
    svc.campaigns = CampaignSet([*kept, *owned])
    svc.history = History(await store.history(svc.db))
    return ignored


async def in_use(db: Database, root: Path, folder: list[Campaign]) -> CampaignSet:
    """The campaigns in use as `settle` puts them together, only read: for `petition-bot
    publish`, beside a running bot that records the versions itself."""
    owned = await _owned(db, root)
    taken = {c.slug for c in owned}
    return CampaignSet([*(c for c in folder if c.slug not in taken), *owned])


async def earlier_text(svc: Services, slug: str, version: str) -> tuple[Version, str] | None:
    """The text a campaign showed before it changed, as a reader gets it; None for a version
    that is not one of this campaign's."""
    found = svc.history.find(slug, version)
    body = await store.body(svc.db, slug, version) if found else None
    return None if found is None or body is None else (found, readable(body))


def folder_campaigns(svc: Services) -> list[Campaign]:
    """The folders' campaigns as this process loaded them."""
    return [c for c in svc.campaigns.all() if c.owner is Owner.FOLDER]


async def read_folders(svc: Services) -> CampaignSet:
    """CAMPAIGNS_DIR read again; raises ContentError on a bad file."""
    return await asyncio.to_thread(load_campaigns, svc.settings.campaigns_dir)


async def refresh(svc: Services) -> None:
    """After the database's campaigns changed: the folders as loaded, the database's anew
    (other workers do the same at their next update: bot.core.workers)."""
    await settle(svc, folder_campaigns(svc))
    svc.changed.add("campaigns")


async def reload(svc: Services) -> list[str]:
    """/reload: the folders read again; raises ContentError (nothing changes) on a bad file."""
    ignored = await settle(svc, (await read_folders(svc)).all())
    svc.changed.add("folders")
    return ignored


async def import_folders(db: Database, root: Path, now: int) -> list[str]:
    """`campaigns import DIR`: every campaign folder under `root` owned by the database from
    now on. All or nothing: one bad folder and nothing is stored (ContentError names it)."""
    loaded, problems = await asyncio.to_thread(campaign_problems, root)
    if problems:
        raise problems[0]
    slugs = []
    for campaign in loaded:
        await store.store(db, campaign.slug, render_meta(campaign), _texts(campaign), "", now)
        slugs.append(campaign.slug)
    return slugs


async def export_folders(db: Database, root: Path) -> list[str]:
    """`campaigns export DIR`: each campaign the database owns written as a folder (its
    current texts and settings; the versions before them stay in the database)."""
    slugs = []
    for row in await store.owned(db):
        files = CampaignFiles(row.meta, row.texts)
        await asyncio.to_thread(files.write, root / row.slug)
        slugs.append(row.slug)
    return slugs
