"""Running the bots, `migrate` and `restore`: the database first, then Telegram, stopped by a
signal."""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.cli.common import Stop, log, version
from bot.config import Settings
from bot.core.content import ContentError
from bot.i18n import CatalogError
from bot.ops import restore
from bot.storage.engine import MigrationError
from bot.storage.engines import DatabaseError, engine_for, migrations_ready, where
from bot.storage.keys import SignerKeyError, check_signer_key
from bot.telegram.app import build_fleet
from bot.telegram.fleet import Fleet
from bot.telegram.metrics import Metrics


def restore_command(
    settings: Settings, source: str, identity: str | None, accept_older: bool
) -> int:
    """Checks and restores a backup; the bot applies any pending migrations when it starts."""
    try:
        facts, warnings = restore.restore(
            settings, source, identity=identity, accept_older=accept_older
        )
    except restore.RestoreError as exc:
        raise Stop(f"restore refused: {exc}") from None
    for line in warnings:
        print(line, file=sys.stderr)
    print(
        f"restored a backup made {facts.when()} (schema version {facts.schema_version}, "
        f"{facts.signatures} signatures in {facts.campaigns} campaigns) to "
        f"{settings.database_path}; start the bot to serve it"
    )
    return 0


DATABASE_ERRORS = (MigrationError, SignerKeyError, *DatabaseError)


def database_stop(settings: Settings, exc: Exception) -> Stop:
    """The one line for a database that cannot be used: 2 when a restart cannot help."""
    if isinstance(exc, MigrationError):
        return Stop(f"database error: {exc}")
    if isinstance(exc, SignerKeyError):
        return Stop(f"signer key error: {exc}")
    return Stop(f"cannot use the database {where(settings)}: {exc}", 1)


async def migrate(settings: Settings, *, quiet: bool = False) -> int:
    """Migrations, the signer key's fingerprint check and the data steps that need the key."""
    db = engine_for(settings)
    try:
        await db.open()
        await check_signer_key(db, settings.signer_key, settings.pseudonym_cost)
        version = await db.schema_version()
    except DATABASE_ERRORS as exc:
        raise database_stop(settings, exc) from None
    finally:
        await db.close()
    if not quiet:
        print(f"database {where(settings)} is at schema version {version}")
    return 0


def run(settings: Settings, metrics: Metrics | None = None) -> int:
    """Builds the bots (with the metrics a locked start already counted) and serves them."""
    try:
        migrations_ready(
            settings
        )  # before Telegram is contacted: a broken install never half-starts
        fleet = build_fleet(settings, metrics=metrics)
        # Once the installation proved whole, so a failure before it stays one line.
        log.info("petition-bot %s starting", version())
    except MigrationError as exc:
        raise Stop(f"installation error: {exc}") from None
    except ContentError as exc:
        raise Stop(f"campaign content error: {exc}") from None
    except CatalogError as exc:
        raise Stop(f"installation error: {exc}") from None
    try:
        asyncio.run(_serve(fleet))
    except DATABASE_ERRORS as exc:
        raise database_stop(settings, exc) from None
    if fleet.all_rejected():
        several = len(settings.bot_tokens) > 1
        raise Stop(_REJECTED_ALL if several else _REJECTED)
    log.info("stopped")
    return 0


_REJECTED = "Telegram rejected BOT_TOKEN (401): check it with @BotFather"
_REJECTED_ALL = "Telegram rejected every token of BOT_TOKENS (401): check them with @BotFather"


async def _serve(fleet: Fleet) -> None:
    """The process owns the lifecycle: every bot up (each waiting for Telegram as long as it
    takes), then serving until a signal, or until Telegram rejected every token."""
    _stop_on_first_signal(asyncio.get_running_loop(), fleet.stopping)
    try:
        await fleet.open(serve=True)
        if not fleet.serving() and not fleet.all_rejected():
            log.info("stopped before Telegram answered")
        await fleet.stopping.wait()
    finally:
        await fleet.close()


def _stop_on_first_signal(loop: asyncio.AbstractEventLoop, stopping: asyncio.Event) -> None:
    """SIGINT or SIGTERM stops every bot in order; a second one while it shuts down is
    ignored.

    `make run` stopped by a SIGTERM to its process group delivers two: make forwards its own
    to the bot. Handled once here for every bot (PTB's own handler is per Application, and
    raised SystemExit again in the middle of the shutdown, which left `Updater.stop`
    unawaited and the database open, and the process hung).
    """

    def stop() -> None:
        if stopping.is_set():
            log.info("already stopping")
            return
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
