"""The signer key file, read (or made for a new install) as an explicit start-up step.

Loading settings only records where the key comes from, so `check`, `restore` and tests can
load them without writing anything. This step refuses a key file other users can read, and
never makes a key for a database that already holds signatures: a new key would silently
make every signer a stranger.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

from bot.config import Settings, SettingsError, is_sealed
from bot.domain.signatures import new_signer_key
from bot.storage.keys import database_needs_its_key

log = logging.getLogger(__name__)


def with_signer_key(settings: Settings, *, create: bool = True) -> Settings:
    """`settings` with `signer_key` read from the key file, made first for a new install.

    SIGNER_KEY, when set, is already the key. With `create=False` (`check` and `restore`) a
    missing file is not written and the key stays empty: `check` never uses it and `restore`
    refuses to run without one. A sealed key file (bot/ops/sealed.py) leaves it empty too,
    until an organiser unlocks the bot.
    """
    if settings.signer_key or settings.signer_key_file is None:
        return settings
    key = _read_or_make(settings.signer_key_file, settings.database_path, create)
    return replace(settings, signer_key=key)


def key_from(content: bytes, source: str) -> bytes:
    """The key a key file holds, refused when it is too short to be one."""
    key = content.strip()
    if len(key) < 32:
        raise SettingsError(f"{source} holds a key shorter than 32 bytes")
    return key


def _read_or_make(key_file: Path, database_path: Path, create: bool) -> bytes:
    if key_file.exists():
        mode = key_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise SettingsError(
                f"SIGNER_KEY_FILE {key_file} can be read by other users (mode {mode:o}): "
                f"run chmod 600 {key_file}"
            )
        if is_sealed(key_file):
            return b""
        return key_from(key_file.read_bytes(), f"SIGNER_KEY_FILE {key_file}")
    if database_needs_its_key(database_path):
        raise SettingsError(
            f"the signer key {key_file} is missing, but {database_path} already holds "
            "signatures made with a key: put the original key back (see README, 'Moving to a "
            "new server'); a new key would make every signer a stranger"
        )
    if not create:
        return b""
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(new_signer_key())
    log.warning(
        "created the signer key %s: keep a copy where only organisers can reach it, never in "
        "the database's backups (README, 'The signer key')",
        key_file,
    )
    return key_file.read_bytes().strip()
