"""`petition-bot publish DIR`: the public site written into DIR once, swapped in whole."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.cli.common import Stop
from bot.config import Settings
from bot.core import bots, catalogue, publish
from bot.core.content import ContentError, load_campaigns
from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.i18n import I18n
from bot.ops import publish as publisher
from bot.storage.engine import MigrationError
from bot.storage.engines import DatabaseError, engine_for, where


def publish_command(settings: Settings, folder: Path) -> int:
    """Reads the database (beside a running bot: SQLite lets a reader in), writes nothing
    to it, and needs neither the token nor the signer key. The official bots it names are the
    database's (an admin's /bots), so the bot must have started once."""
    if not settings.database_url and not settings.database_path.is_file():
        raise Stop(f"no database at {settings.database_path}: start the bot once first")
    try:
        campaigns = load_campaigns(settings.campaigns_dir)
    except ContentError as exc:
        raise Stop(f"campaign content error: {exc}") from None
    started = time.perf_counter()
    files = asyncio.run(_files(settings, campaigns))
    try:
        publisher.write_site(folder, files)
    except publisher.PublishError as exc:
        raise Stop(f"publish failed: {exc}", 1) from None
    size = sum(len(data) for data in files.values())
    print(
        f"published {files_campaigns(files)} campaigns, {len(files)} files ({size / 1024:.0f} KB) "
        f"into {folder} in {time.perf_counter() - started:.1f} s"
    )
    return 0


async def _files(settings: Settings, campaigns: CampaignSet) -> dict[str, bytes]:
    db = engine_for(settings)
    try:
        await db.open()
    except (MigrationError, *DatabaseError) as exc:
        raise Stop(f"cannot use the database {where(settings)}: {exc}", 1) from None
    try:
        in_use = await catalogue.in_use(db, settings.campaigns_dir, campaigns.all())
        svc = Services(settings, db, I18n(settings.default_language), in_use)
        await bots.load(svc)
        if not bots.official_usernames(svc):
            raise Stop("no official bot is recorded in the database: start the bot once first")
        return await publish.site_files(svc)
    finally:
        await db.close()


def files_campaigns(files: dict[str, bytes]) -> int:
    """How many campaigns the site holds: one count.json each."""
    return sum(1 for path in files if path.endswith("/count.json"))
