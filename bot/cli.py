"""`petition-bot` (and `python -m bot`): run the bot, `check` the set-up, `migrate`, `restore`,
`seal` a secret with a passphrase and `unlock` a bot that waits for it.

Whatever ends the process prints one line an organiser can act on and never the token, a name
or a traceback (tracebacks go to the log at DEBUG). Exit codes: 0 done, 1 a failure worth a
restart, 2 a configuration problem that a restart cannot fix (service managers should not
restart on 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.config import Settings, SettingsError, load_settings
from bot.core.content import ContentError, campaign_problems
from bot.crypto import slow_base
from bot.domain.campaigns import Campaign
from bot.domain.signatures import new_signer_key
from bot.i18n import CatalogError, I18n
from bot.ops import restore
from bot.ops.lock import RunLock
from bot.ops.logs import configure_logging, redact
from bot.ops.sealed import Sealed, seal, write_sealed
from bot.ops.signer_key import with_signer_key
from bot.ops.unlock import UnlockError, send_passphrase, socket_path
from bot.storage.keys import SignerKeyError, check_signer_key
from bot.storage.sqlite import DatabaseError, MigrationError, SqliteDatabase, migration_files
from bot.telegram.app import build_application
from bot.telegram.context import BotApp
from bot.telegram.locked import wait_until_unlocked
from bot.telegram.metrics import Metrics

log = logging.getLogger("bot")
CONFIG_ERROR = 2
# Waits between start-up attempts while Telegram cannot be reached: 1, 2, 4 … then every 60 s.
FIRST_WAIT, LONGEST_WAIT = 1.0, 60.0


class Stop(Exception):
    """Ends the process with one line on stderr and an exit code."""

    def __init__(self, line: str, code: int = CONFIG_ERROR) -> None:
        super().__init__(line)
        self.line, self.code = line, code


def version() -> str:
    """This release, from the installed package's metadata (pyproject.toml's `version`)."""
    try:
        return metadata.version("petition-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    """Each command takes only its own options; anything else is a usage error (exit 2).

    Abbreviated options are refused too, so what a unit file says is what the bot reads.
    """
    parser = argparse.ArgumentParser(
        prog="petition-bot",
        description="A Telegram bot that collects signatures for petitions and open letters. "
        "Without a command it runs the bot.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--check", action="store_true", help="the same as the check command")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run", help="run the bot (the default); migrations run first", allow_abbrev=False
    )
    commands.add_parser(
        "check",
        help="validate the settings, campaigns, migrations and catalogs; writes nothing",
        allow_abbrev=False,
    )
    commands.add_parser("migrate", help="apply pending migrations and exit", allow_abbrev=False)
    restore_command = commands.add_parser(
        "restore", help="restore a backup into an empty data directory", allow_abbrev=False
    )
    restore_command.add_argument("file", metavar="FILE", help="the backup (- = standard input)")
    restore_command.add_argument(
        "--identity",
        metavar="PATH",
        help="the age identity (key file) that opens an encrypted backup (- = stdin); "
        "read for this command only, never stored",
    )
    restore_command.add_argument(
        "--accept-older",
        action="store_true",
        help="accept a backup older than the last erasure (it undoes withdrawals)",
    )
    seal_command = commands.add_parser(
        "seal",
        help="encrypt a new signer key (or --from a file) with a passphrase, into a new file",
        allow_abbrev=False,
    )
    seal_command.add_argument("out", metavar="OUT", help="the sealed file to create (mode 0600)")
    seal_command.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="seal this file's content (a key or the bot token; - = type it in) instead",
    )
    unlock_command = commands.add_parser(
        "unlock",
        help="give the passphrase to a bot waiting with sealed secrets (on this server)",
        allow_abbrev=False,
    )
    unlock_command.add_argument(
        "--socket",
        metavar="PATH",
        help="the bot's unlock socket (default: $RUNTIME_DIRECTORY/unlock.sock, else "
        "$XDG_RUNTIME_DIR/petition-bot/unlock.sock)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.check and args.command not in (None, "check"):
        parser.error(f"--check is the check command: it cannot go with {args.command}")
    command = "check" if args.check else args.command or "run"
    os.umask(0o077)  # whatever the bot writes (database, backups, exports) is its own
    secrets: list[str] = []
    try:
        if command == "check":
            return _check()
        if command == "seal":
            return _seal(Path(args.out), args.source)
        if command == "unlock":
            return _unlock(args.socket)
        settings = _settings()
        secrets += [settings.bot_token, settings.webhook_secret or ""]
        configure_logging(settings.log_level, secrets, fmt=settings.log_format)
        # After the logging: a new install's key file is named in the log when it is made.
        settings = _with_key(settings, create=command != "restore")
        sealed = Sealed.of(settings)
        if command == "restore":
            settings = _open_here(settings, sealed)
            return _restore(settings, args.file, args.identity, args.accept_older)
        # One bot per database: a second one, or a restore in progress, holds this lock.
        lock = RunLock(settings.database_path)
        if not lock.acquire():
            raise Stop(
                f"another petition-bot (or a restore) is using {settings.database_path}: "
                "stop it first",
                1,
            )
        try:
            if command == "migrate":
                return asyncio.run(_migrate(_open_here(settings, sealed)))
            metrics = Metrics()
            if sealed is not None:
                unlocked = _wait_until_unlocked(settings, sealed, metrics)
                if unlocked is None:
                    return 0
                settings = unlocked
                secrets.append(settings.bot_token)
                configure_logging(settings.log_level, secrets, fmt=settings.log_format)
            asyncio.run(_migrate(settings, quiet=True))  # before Telegram is contacted
            return _run(settings, metrics)
        finally:
            lock.release()
    except Stop as stop:
        print(redact(stop.line, secrets), file=sys.stderr)
        return stop.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last resort: one line, the traceback only at DEBUG
        log.debug("stopped by an unexpected error", exc_info=exc)
        print(
            redact(f"petition-bot stopped: {exc.__class__.__name__}: {exc}", secrets)[:300],
            file=sys.stderr,
        )
        return 1


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None


def _with_key(settings: Settings, *, create: bool) -> Settings:
    """The signer key; a new install's key file is made here, not in `restore`."""
    try:
        return with_signer_key(settings, create=create)
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None


def _ask(prompt: str) -> str:
    """A line typed without echo, or read from standard input when it is not a terminal
    (so `systemd-ask-password … | petition-bot unlock` works). Never stored or logged."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise Stop("nothing was given on standard input")
    return line.rstrip("\r\n")


def _seal(out: Path, source: str | None) -> int:
    """Writes a new sealed file: a new signer key, or the content of `source`."""
    if out.exists():
        raise Stop(f"{out} exists: seal into a new file")
    if source is None:
        secret, what = new_signer_key().encode(), "a new signer key"
    elif source == "-":
        secret, what = _ask("The secret to seal (not shown): ").encode(), "what you typed"
    else:
        try:
            secret, what = Path(source).read_bytes(), source
        except OSError as exc:
            raise Stop(f"cannot read {source}: {exc.strerror}") from None
    if not secret.strip():
        raise Stop("there is nothing to seal")
    passphrase = _ask("Passphrase: ")
    if sys.stdin.isatty() and _ask("The same passphrase again: ") != passphrase:
        raise Stop("the two passphrases differ; nothing was written")
    try:
        write_sealed(out, seal(secret, passphrase))
    except SettingsError as exc:
        raise Stop(str(exc)) from None
    except OSError as exc:
        raise Stop(f"cannot write {out}: {exc.strerror}") from None
    print(f"sealed {what} into {out} (mode 0600); the bot will wait for `petition-bot unlock`")
    if source not in (None, "-"):
        print(
            f"{source} is still in clear on this disk, and deleting it may leave its blocks "
            "readable: seal on another machine, or from a tmpfs (README, 'Keys at rest')",
            file=sys.stderr,
        )
    return 0


def _unlock(socket: str | None) -> int:
    """Sends the passphrase to the waiting bot; 0 once it is unlocked, 1 when refused."""
    try:
        path = Path(socket) if socket else socket_path(os.environ)
    except UnlockError as exc:
        raise Stop(str(exc)) from None
    try:
        answer = send_passphrase(path, _ask("Passphrase: "))
    except UnlockError as exc:
        raise Stop(str(exc), 1) from None
    except OSError as exc:
        raise Stop(
            f"the unlock socket {path} did not answer: {exc.__class__.__name__}", 1
        ) from None
    print(answer)
    return 0 if answer == "unlocked" else 1


def _open_here(settings: Settings, sealed: Sealed | None) -> Settings:
    """For commands run by hand (migrate, restore): the passphrase asked for here."""
    if sealed is None:
        return settings
    try:
        opened = sealed.open(settings, _ask("Passphrase of the sealed key or token: "))
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None
    if opened is None:
        raise Stop("refused: wrong passphrase", 1)
    return opened


def _wait_until_unlocked(settings: Settings, sealed: Sealed, metrics: Metrics) -> Settings | None:
    """The locked start (bot/telegram/locked.py): no Telegram until `petition-bot unlock`."""
    try:
        socket = socket_path(os.environ)
        return asyncio.run(wait_until_unlocked(settings, sealed, socket, metrics))
    except UnlockError as exc:
        raise Stop(f"cannot wait to be unlocked: {exc}") from None
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None


def _check() -> int:
    """Validates settings, campaigns, migrations and catalogs; writes and contacts nothing."""
    problems: list[str] = []
    try:
        settings: Settings | None = with_signer_key(load_settings(), create=False)
    except SettingsError as exc:
        problems.append(f"configuration error: {exc}")
        settings = None
    campaigns: list[Campaign] = []
    if settings is not None:
        campaigns, content = campaign_problems(settings.campaigns_dir)
        problems += [f"campaign content error: {p}" for p in content]
    try:
        migration_files()
        I18n()
    except (MigrationError, CatalogError) as exc:
        problems.append(f"installation error: {exc}")
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return CONFIG_ERROR
    slugs = ", ".join(c.slug for c in campaigns)
    print(f"ok: settings valid; {len(campaigns)} campaigns ({slugs})")
    if settings is not None:
        print(pseudonym_cost_report(settings))
    return 0


def _restore(settings: Settings, source: str, identity: str | None, accept_older: bool) -> int:
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


DATABASE_ERRORS = (MigrationError, SignerKeyError, DatabaseError)


def _database_stop(settings: Settings, exc: Exception) -> Stop:
    """The one line for a database that cannot be used: 2 when a restart cannot help."""
    if isinstance(exc, MigrationError):
        return Stop(f"database error: {exc}")
    if isinstance(exc, SignerKeyError):
        return Stop(f"signer key error: {exc}")
    return Stop(f"cannot use the database {settings.database_path}: {exc}", 1)


async def _migrate(settings: Settings, *, quiet: bool = False) -> int:
    """Migrations, the signer key's fingerprint check and the data steps that need the key."""
    db = SqliteDatabase(settings.database_path)
    try:
        await db.open()
        await check_signer_key(db, settings.signer_key, settings.pseudonym_cost)
        version = await db.schema_version()
    except DATABASE_ERRORS as exc:
        raise _database_stop(settings, exc) from None
    finally:
        await db.close()
    if not quiet:
        print(f"database {settings.database_path} is at schema version {version}")
    return 0


def _run(settings: Settings, metrics: Metrics | None = None) -> int:
    """Builds the bot (with the metrics a locked start already counted) and runs it."""
    try:
        migration_files()  # before Telegram is contacted: a broken install never half-starts
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
        raise _database_stop(settings, exc) from None
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
    wait, attempt = FIRST_WAIT, 1
    try:
        while True:
            try:
                await app.initialize()
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


# Published figure: an RTX 4090 moves about 1 TB/s; argon2id reads two blocks and writes one
# per block per pass, so one test of an id moves about 3 x passes x memory.
GPU_BYTES_PER_SECOND = 1.0e12


def pseudonym_cost_report(settings: Settings) -> str:
    """What testing one Telegram id costs whoever holds the database and the key (measured
    here, on one core), and what enumerating all 10^10 ids would take."""
    cost = settings.pseudonym_cost
    key, runs = b"k" * 32, []
    for n in range(5):
        started = time.perf_counter()
        slow_base(key, f"{n:064x}", cost.memory_kib, cost.passes, cost.lanes)
        runs.append(time.perf_counter() - started)
    per_id = sorted(runs)[2]
    core_years = per_id * 1e10 / (365.25 * 86400)
    gpu_rate = GPU_BYTES_PER_SECOND / (3 * cost.passes * cost.memory_kib * 1024)
    gpu_days = 1e10 / gpu_rate / 86400
    return (
        f"pseudonyms: {cost.text}; one Telegram id costs {per_id * 1000:.0f} ms on one core, "
        f"so 10^10 ids take {core_years:,.0f} core-years, or about {gpu_days:,.0f} days on one "
        f"current GPU (~{gpu_rate:,.0f} ids/s, memory-bandwidth bound). The signer key, not this "
        "cost, is what protects signers: the cost makes a mass enumeration expensive once the "
        "key is taken (README, 'Threat model')"
    )
