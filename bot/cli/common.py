"""What every command shares: the one-line stop, and the settings and key they load."""

from __future__ import annotations

import logging
from importlib import metadata

from bot.config import Settings, SettingsError, load_settings
from bot.ops.signer_key import with_signer_key

log = logging.getLogger("bot")
CONFIG_ERROR = 2
# Waits between start-up attempts while Telegram cannot be reached: 1, 2, 4 … then every 60 s.


class Stop(Exception):
    """Ends the process with one line on stderr and an exit code."""

    def __init__(self, line: str, code: int = CONFIG_ERROR) -> None:
        super().__init__(line)
        self.line, self.code = line, code


def load() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None


def with_key(settings: Settings, *, create: bool) -> Settings:
    """The signer key; a new install's key file is made here, not in `restore`."""
    try:
        return with_signer_key(settings, create=create)
    except SettingsError as exc:
        raise Stop(f"configuration error: {exc}") from None


def version() -> str:
    """This release, from the installed package's metadata (pyproject.toml's `version`)."""
    try:
        return metadata.version("petition-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"
