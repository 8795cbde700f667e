"""`seal` and `unlock`, and opening sealed secrets here or waiting for `petition-bot unlock`."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path

from bot.cli.common import Stop
from bot.config import Settings, SettingsError
from bot.domain.signatures import new_signer_key
from bot.ops.sealed import Sealed, seal, write_sealed
from bot.ops.unlock import UnlockError, send_passphrase, socket_path
from bot.telegram.locked import wait_until_unlocked
from bot.telegram.metrics import Metrics


def ask(prompt: str) -> str:
    """A line typed without echo, or read from standard input when it is not a terminal
    (so `systemd-ask-password … | petition-bot unlock` works). Never stored or logged."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise Stop("nothing was given on standard input")
    return line.rstrip("\r\n")


def seal_command(out: Path, source: str | None) -> int:
    """Writes a new sealed file: a new signer key, or the content of `source`."""
    if out.exists():
        raise Stop(f"{out} exists: seal into a new file")
    if source is None:
        secret, what = new_signer_key().encode(), "a new signer key"
    elif source == "-":
        secret, what = ask("The secret to seal (not shown): ").encode(), "what you typed"
    else:
        try:
            secret, what = Path(source).read_bytes(), source
        except OSError as exc:
            raise Stop(f"cannot read {source}: {exc.strerror}") from None
    if not secret.strip():
        raise Stop("there is nothing to seal")
    passphrase = ask("Passphrase: ")
    if sys.stdin.isatty() and ask("The same passphrase again: ") != passphrase:
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


def unlock_command(socket: str | None) -> int:
    """Sends the passphrase to the waiting bot; 0 once it is unlocked, 1 when refused."""
    try:
        path = Path(socket) if socket else socket_path(os.environ)
    except UnlockError as exc:
        raise Stop(str(exc)) from None
    try:
        answer = send_passphrase(path, ask("Passphrase: "))
    except UnlockError as exc:
        raise Stop(str(exc), 1) from None
    except OSError as exc:
        raise Stop(
            f"the unlock socket {path} did not answer: {exc.__class__.__name__}", 1
        ) from None
    print(answer)
    return 0 if answer == "unlocked" else 1


def open_here(settings: Settings, sealed: Sealed | None) -> Settings:
    """For commands run by hand (migrate, restore): the passphrase asked for here."""
    if sealed is None:
        return settings
    try:
        opened = sealed.open(settings, ask("Passphrase of the sealed key or token: "))
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None
    if opened is None:
        raise Stop("refused: wrong passphrase", 1)
    return opened


def wait_for_passphrase(settings: Settings, sealed: Sealed, metrics: Metrics) -> Settings | None:
    """The locked start (bot/telegram/locked.py): no Telegram until `petition-bot unlock`."""
    try:
        socket = socket_path(os.environ)
        return asyncio.run(wait_until_unlocked(settings, sealed, socket, metrics))
    except UnlockError as exc:
        raise Stop(f"cannot wait to be unlocked: {exc}") from None
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None
