"""Secrets sealed with a passphrase: the signer key and the bot token at rest, unlocked at start.

`petition-bot seal` writes an age file encrypted to a passphrase (age's scrypt recipient), so
an image of the disk holds neither the key nor the token, only what a passphrase guess must
get through. A bot that finds a sealed file waits, making no Bot API call, until an organiser
gives the passphrase over the unlock socket (bot/ops/unlock.py). The passphrase and what it
opens are kept in this process's memory only, never written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pyrage

from bot.config import Settings, SettingsError, is_sealed
from bot.config.table import BOT_TOKENS
from bot.ops.signer_key import key_from

SHORTEST_PASSPHRASE = 12  # characters; a disk image lets an attacker guess offline


def seal(secret: bytes, passphrase: str) -> bytes:
    """The age file that holds `secret`, opened only by `passphrase`."""
    if len(passphrase) < SHORTEST_PASSPHRASE:
        raise SettingsError(
            f"the passphrase must have at least {SHORTEST_PASSPHRASE} characters "
            "(several random words are best): whoever images the disk can guess offline"
        )
    return pyrage.passphrase.encrypt(secret, passphrase)


def write_sealed(path: Path, sealed: bytes) -> None:
    """Writes a new file of mode 0600; an existing one is never overwritten."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(sealed)
        fh.flush()
        os.fsync(fh.fileno())


def _unseal(path: Path, passphrase: str) -> bytes | None:
    try:
        return pyrage.passphrase.decrypt(path.read_bytes(), passphrase)
    except pyrage.DecryptError:
        return None


@dataclass(frozen=True)
class Sealed:
    """Which of the bot's secrets are sealed; both take the same passphrase."""

    key_file: Path | None
    token_file: Path | None

    @classmethod
    def of(cls, settings: Settings) -> Sealed | None:
        """What `settings` still lacks because it is sealed; None when nothing is."""
        key_file = settings.signer_key_file
        if settings.signer_key or key_file is None or not is_sealed(key_file):
            key_file = None
        if key_file is None and settings.sealed_token_file is None:
            return None
        return cls(key_file, settings.sealed_token_file)

    def open(self, settings: Settings, passphrase: str) -> Settings | None:
        """`settings` with the key and token filled in; None when the passphrase is wrong.

        Slow on purpose (scrypt, about a second): that is what a guess costs. A file that
        opens but holds no valid key or token raises SettingsError.
        """
        key, bot_tokens = settings.signer_key, settings.bot_tokens
        if self.key_file is not None:
            plain = _unseal(self.key_file, passphrase)
            if plain is None:
                return None
            key = key_from(plain, f"the sealed SIGNER_KEY_FILE {self.key_file}")
        if self.token_file is not None:
            plain = _unseal(self.token_file, passphrase)
            if plain is None:
                return None
            text = plain.decode("utf-8", "replace").strip()
            # One token (BOT_TOKEN_FILE) or one a line (BOT_TOKENS_FILE).
            bot_tokens = BOT_TOKENS.parse(f"the sealed token file {self.token_file}", text)
        return replace(settings, signer_key=key, bot_tokens=bot_tokens, sealed_token_file=None)
