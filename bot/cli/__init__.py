"""`petition-bot` (and `python -m bot`): run the bot, `check` the set-up, `migrate`, `restore`,
move `campaigns` between folders and the database, `publish` the public site, `seal` a secret
with a passphrase and `unlock` a bot that waits for it.

Whatever ends the process prints one line an organiser can act on and never the token, a name
or a traceback (tracebacks go to the log at DEBUG). Exit codes: 0 done, 1 a failure worth a
restart, 2 a configuration problem that a restart cannot fix (service managers should not
restart on 2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.campaigns import campaigns_command
from bot.cli.check import check_command
from bot.cli.common import Stop, load, log, version, with_key
from bot.cli.keys import open_here, seal_command, unlock_command, wait_for_passphrase
from bot.cli.port import port_command
from bot.cli.publish import publish_command
from bot.cli.run import migrate, restore_command, run
from bot.config import database_secrets
from bot.ops.lock import RunLock
from bot.ops.logs import configure_logging, redact
from bot.ops.sealed import Sealed
from bot.telegram.metrics import Metrics

__all__ = ["main", "version"]


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
    commands.add_parser(
        "port-db",
        help="copy a stopped SQLite database (DATABASE_PATH) into an empty PostgreSQL one "
        "(DATABASE_URL) and verify every table",
        allow_abbrev=False,
    )
    campaigns = commands.add_parser(
        "campaigns",
        help="import campaign folders into the database, or export the database's campaigns "
        "as folders (stop the bot first)",
        allow_abbrev=False,
    )
    campaigns.add_argument("action", choices=("import", "export"))
    campaigns.add_argument("folder", metavar="DIR", help="the folder of campaign folders")
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
    publish_parser = commands.add_parser(
        "publish",
        help="write the public site into DIR (replaced whole) and exit; needs PUBLISH_BOTS",
        allow_abbrev=False,
    )
    publish_parser.add_argument("dir", metavar="DIR", help="the folder the site goes into")
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
            return check_command()
        if command == "seal":
            return seal_command(Path(args.out), args.source)
        if command == "unlock":
            return unlock_command(args.socket)
        settings = load()
        secrets += [
            *settings.bot_tokens,
            settings.webhook_secret or "",
            *database_secrets(settings),
        ]
        configure_logging(settings.log_level, secrets, fmt=settings.log_format)
        if command == "publish":  # reads the database only: no key, no lock, no Telegram
            return publish_command(settings, Path(args.dir))
        # After the logging: a new install's key file is named in the log when it is made.
        settings = with_key(settings, create=command != "restore")
        sealed = Sealed.of(settings)
        if command == "restore":
            if settings.database_url:
                raise Stop("restore is for SQLite: restore PostgreSQL with pg_restore (README)")
            settings = open_here(settings, sealed)
            return restore_command(settings, args.file, args.identity, args.accept_older)
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
                return asyncio.run(migrate(open_here(settings, sealed)))
            if command == "port-db":
                return port_command(open_here(settings, sealed))
            if command == "campaigns":
                settings = open_here(settings, sealed)
                return campaigns_command(settings, args.action, Path(args.folder))
            metrics = Metrics()
            if sealed is not None:
                unlocked = wait_for_passphrase(settings, sealed, metrics)
                if unlocked is None:
                    return 0
                settings = unlocked
                secrets += settings.bot_tokens
                configure_logging(settings.log_level, secrets, fmt=settings.log_format)
            asyncio.run(migrate(settings, quiet=True))  # before Telegram is contacted
            return run(settings, metrics)
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
