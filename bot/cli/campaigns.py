"""`campaigns import DIR` and `campaigns export DIR`: campaigns between folders and the database.

Import moves folder campaigns into the database (owned by it from then on: bot.core.catalogue);
export writes the database's campaigns as folders, so a deployment that keeps its texts in git
can review them. Export, import into a new database and export again give the same bytes.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.cli.common import Stop
from bot.cli.run import DATABASE_ERRORS, database_stop
from bot.config import Settings
from bot.core import catalogue
from bot.core.content import ContentError
from bot.storage.engines import engine_for
from bot.storage.keys import check_signer_key


async def _run(settings: Settings, action: str, folder: Path) -> list[str]:
    db = engine_for(settings)
    try:
        await db.open()
        await check_signer_key(db, settings.signer_key, settings.pseudonym_cost)
        if action == "import":
            return await catalogue.import_folders(db, folder, int(time.time()))
        return await catalogue.export_folders(db, folder)
    except DATABASE_ERRORS as exc:
        raise database_stop(settings, exc) from None
    finally:
        await db.close()


def campaigns_command(settings: Settings, action: str, folder: Path) -> int:
    if action == "export" and folder.exists() and any(folder.iterdir()):
        raise Stop(f"campaigns export: {folder} is not empty: export into a new folder")
    try:
        slugs = asyncio.run(_run(settings, action, folder))
    except ContentError as exc:
        raise Stop(f"campaigns import refused, nothing was stored: {exc}") from None
    done = "imported into the database" if action == "import" else f"exported to {folder}"
    print(f"{len(slugs)} campaigns {done}: {', '.join(slugs) or '-'}")
    return 0
