"""`petition-bot port-db`: a stopped SQLite deployment moved to an empty PostgreSQL database."""

from __future__ import annotations

import asyncio

from bot.cli.common import Stop
from bot.cli.run import DATABASE_ERRORS, database_stop
from bot.config import Settings
from bot.storage import port
from bot.storage.engines import where
from bot.storage.keys import check_signer_key
from bot.storage.postgres import PostgresDatabase, describe
from bot.storage.sqlite import SqliteDatabase


async def _prepare(settings: Settings, url: str) -> None:
    """Both schemas at the newest migration; the source's data steps done with its key."""
    if full := await asyncio.to_thread(port.holds_data, url):
        raise Stop(f"port-db refused: {describe(url)} is not empty ({', '.join(full)} hold rows)")
    source, target = SqliteDatabase(settings.database_path), PostgresDatabase(url, pool_size=1)
    try:
        await source.open()
        await check_signer_key(source, settings.signer_key, settings.pseudonym_cost)
        await target.open()
    except DATABASE_ERRORS as exc:
        raise database_stop(settings, exc) from None
    finally:
        await source.close()
        await target.close()


def port_command(settings: Settings) -> int:
    """Copies DATABASE_PATH into DATABASE_URL, verifies every table, prints one line."""
    url = settings.database_url
    if not url:
        raise Stop("port-db needs DATABASE_URL: the empty PostgreSQL database to move to")
    if not settings.database_path.is_file():
        raise Stop(f"port-db: there is no SQLite database at {settings.database_path}")
    asyncio.run(_prepare(settings, url))
    try:
        ported = port.port(settings.database_path, url)
    except port.PortError as exc:
        raise Stop(f"port-db refused: {exc}") from None
    print(
        f"copied {ported.total} rows in {len(ported.rows)} tables from "
        f"{settings.database_path} to {where(settings)}; every table was read back and "
        "matches. Start the bot with DATABASE_URL; keep the SQLite file until it serves, "
        "then destroy it (it holds names)"
    )
    return 0
