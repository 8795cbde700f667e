"""Running the bot, `migrate` and `restore`: the database first, then Telegram, stopped by a signal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.cli.common import FIRST_WAIT, LONGEST_WAIT, Stop, log, version
from bot.config import Settings
from bot.core.content import ContentError
from bot.i18n import CatalogError
from bot.ops import restore
from bot.storage.engine import MigrationError
from bot.storage.engines import DatabaseError, engine_for, migrations_ready, where
from bot.storage.keys import SignerKeyError, check_signer_key
from bot.telegram.app import build_application
from bot.telegram.context import BotApp
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
    """Builds the bot (with the metrics a locked start already counted) and runs it."""
    try:
        migrations_ready(
            settings
        )  # before Telegram is contacted: a broken install never half-starts
        app = build_application(settings, metrics=metrics)
        # Once the installation proved whole, so a failure before it stays one line.
        log.info("petition-bot %s starting", version())
    except MigrationError as exc:
        raise Stop(f"installation error: {exc}") from None
    except ContentError as exc:
        raise Stop(f"campaign content error: {exc}") from None
    except CatalogError as exc:
        raise Stop(f"installation error: {exc}") from None
    # PTB's run_* methods use the loop set here, so the wait below shares it with them.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if not loop.run_until_complete(_wait_for_telegram(app)):
        loop.close()
        return 0
    _stop_on_first_signal(loop)
    try:
        if settings.webhook_url:
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                # The local path mirrors the public URL's, so a reverse proxy can pass it through.
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=-1,
                stop_signals=None,
            )
        else:
            app.run_polling(
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1, stop_signals=None
            )
    except DATABASE_ERRORS as exc:
        raise database_stop(settings, exc) from None
    except InvalidToken:
        raise Stop(_REJECTED) from None
    log.info("stopped")
    return 0


_REJECTED = "Telegram rejected BOT_TOKEN (401): check it with @BotFather"


def _stop_on_first_signal(loop: asyncio.AbstractEventLoop) -> None:
    """SIGINT or SIGTERM stops the bot as PTB's own handler would (SystemExit out of the
    running loop, then its orderly shutdown); a second one while it shuts down is ignored.

    `make run` stopped by a SIGTERM to its process group delivers two: make forwards its own
    to the bot. PTB's handler raised SystemExit again in the middle of the shutdown, which left
    `Updater.stop` unawaited and the database open, and the process hung.
    """
    stopping = asyncio.Event()

    def stop() -> None:
        if stopping.is_set():
            log.info("already stopping")
            return
        stopping.set()
        raise SystemExit

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)


async def _wait_for_telegram(app: BotApp) -> bool:
    """Initialises the bot (getMe), waiting as long as it takes for Telegram to answer.

    PTB's own bootstrap retries at a fixed interval and logs at DEBUG; a server that boots
    before its network should instead wait, growing the pause, and say so once per try.
    Returns False if a stop signal came first.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    wait, attempt, ready = FIRST_WAIT, 1, False
    try:
        while True:
            try:
                await app.initialize()
                ready = True
                return True
            except InvalidToken:
                raise Stop(_REJECTED) from None
            except RetryAfter as exc:
                pause = float(exc.retry_after if isinstance(exc.retry_after, int | float) else 5)
                reason = "asked to wait"
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                pause, reason = wait, f"{exc.__class__.__name__}: {exc}"
                wait = min(LONGEST_WAIT, wait * 2)
            log.warning(
                "Telegram cannot be reached (try %d, %s); trying again in %.0f s",
                attempt,
                reason,
                pause,
            )
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), pause)
            if stopping.is_set():
                log.info("stopped before Telegram answered")
                return False
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if not ready:  # the HTTP client the first try opened, or it complains at exit
            await app.bot.shutdown()
