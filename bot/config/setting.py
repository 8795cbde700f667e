"""One environment variable: the `Setting` descriptor, the error that names a bad one, and the
parsers that turn a variable's text into a typed value (bot.config.table lists the settings)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")

SUPPORTED_LANGUAGES = ("en", "be", "ru", "uk", "pl")
# Seconds between the scheduled backup job's checks. Not a setting, but a withdrawn name can
# wait this long for the backup that rotates the oldest copy out (backup_window_days).
BACKUP_JOB_EVERY = 600
TOKEN_PATTERN = r"\d{3,12}:[A-Za-z0-9_-]{20,64}"  # what BotFather issues
_TOKEN_RE = re.compile(f"^{TOKEN_PATTERN}$")
_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SettingsError(Exception):
    """A missing or malformed variable; the message names it, for a one-line exit."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable: its name, what an unset or blank one stands for, its parser.

    `meaning` is its line in the README's table; an empty meaning puts it in the row of the
    setting before it. `shown` is that table's Default column when the default is not a value
    to quote (empty, off, or worked out at start).
    """

    name: str
    default: str
    parse: Callable[[str, str], T]  # (name, text) -> value; SettingsError names the variable
    meaning: str
    shown: str = ""

    def text(self, env: Mapping[str, str]) -> str:
        return env.get(self.name, "").strip() or self.default

    def read(self, env: Mapping[str, str]) -> T:
        return self.parse(self.name, self.text(env))

    @property
    def default_value(self) -> T:
        """The default, parsed: what `Settings` holds when the variable is not set."""
        return self.parse(self.name, self.default)

    @property
    def documented_default(self) -> str:
        return self.shown or f"`{self.default}`"


# -- parsers: (variable name, its text with the default applied) -> value ---------------------


def text(name: str, raw: str) -> str:
    return raw


def optional_text(name: str, raw: str) -> str | None:
    return raw or None


def token(name: str, raw: str) -> str:
    if not raw:
        raise SettingsError(f"{name} is not set: get one from @BotFather and put it in .env")
    if not _TOKEN_RE.match(raw):
        raise SettingsError(f"{name} is malformed: expected <digits>:<secret> from @BotFather")
    return raw


def tokens(name: str, raw: str) -> tuple[str, ...]:
    """Several bots' tokens, separated by commas or lines; each bot once (by its id, the
    number before the colon, so two tokens of one bot are refused too)."""
    found = tuple(t.strip() for t in re.split(r"[,\n]", raw) if t.strip())
    for i, one in enumerate(found, 1):
        if not _TOKEN_RE.match(one):
            raise SettingsError(
                f"{name}: token {i} is malformed: expected <digits>:<secret> from @BotFather"
            )
    ids = [t.split(":", 1)[0] for t in found]
    if len(set(ids)) != len(ids):
        raise SettingsError(f"{name} names the same bot twice")
    return found


def ids(name: str, raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise SettingsError(
                f"{name} must be comma-separated numeric Telegram user ids, got {part!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def recipients(name: str, raw: str) -> tuple[str, ...]:
    keys = tuple(part for part in re.split(r"[\s,]+", raw) if part)
    for key in keys:
        if not _AGE_RECIPIENT.fullmatch(key):
            raise SettingsError(
                f"{name} must be age public keys (age1…, 62 characters), got {key!r}"
            )
    return keys


def path(name: str, raw: str) -> Path:
    """Relative paths are resolved against the folder the bot was started in, once, here."""
    return (Path.cwd() / raw).resolve()


def optional_path(name: str, raw: str) -> Path | None:
    return path(name, raw) if raw else None


def language(name: str, raw: str) -> str:
    if raw not in SUPPORTED_LANGUAGES:
        raise SettingsError(f"{name} must be one of {', '.join(SUPPORTED_LANGUAGES)}, got {raw!r}")
    return raw


def log_level(name: str, raw: str) -> str:
    level = raw.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"{name} must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return level


def log_format(name: str, raw: str) -> str:
    fmt = raw.lower()
    if fmt not in ("text", "json"):
        raise SettingsError(f"{name} must be text or json, got {fmt!r}")
    return fmt


def choice(*values: str) -> Callable[[str, str], str]:
    """One of a few words (FOUR_EYES, BROADCAST_LINKS), case-insensitive."""

    def parse(name: str, raw: str) -> str:
        word = raw.lower()
        if word not in values:
            raise SettingsError(f"{name} must be {' or '.join(values)}, got {raw!r}")
        return word

    return parse


def signer_key(name: str, raw: str) -> bytes:
    """Empty means "use the key file"; a key of 32+ characters from an older version is kept."""
    if raw and len(raw) < 32:
        raise SettingsError(f"{name} must be 64 hex digits")
    return raw.encode()


def base_url(name: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must start with http:// or https://: {raw!r}")
    return raw


def webhook_url(name: str, raw: str) -> str | None:
    if raw and not raw.startswith("https://") and not raw.startswith("http://127."):
        raise SettingsError(f"{name} must be an https:// URL")
    return raw or None


def database_url(name: str, raw: str) -> str | None:
    """DATABASE_URL: a postgresql:// URL, with TLS and certificate checks beyond this machine.

    A host other than a local socket or loopback is reached only with `sslmode=verify-full`
    (or `verify-ca`): names cross the network, and an unverified certificate lets whoever sits
    on the path read them. Without an sslmode, verify-full is added; a weaker one is refused.
    """
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SettingsError(f"{name} must start with postgresql://")
    query = parse_qs(parts.query)
    hosts = [h for h in (query.get("host", []) + (parts.hostname or "").split(",")) if h]
    local = all(h.startswith("/") or h in LOOPBACK or h.startswith("127.") for h in hosts)
    mode = (query.get("sslmode") or [""])[-1]
    if local or mode in ("verify-full", "verify-ca"):
        return raw
    if mode:
        raise SettingsError(
            f"{name} reaches another machine with sslmode={mode}: use sslmode=verify-full "
            "(names must not cross the network unencrypted or to an unverified server)"
        )
    separator = "&" if parts.query else "?"
    return f"{raw}{separator}sslmode=verify-full"


def chat_id(name: str, raw: str) -> int | None:
    if raw and not re.fullmatch(r"-?\d+", raw):
        raise SettingsError(f"{name} must be a numeric chat id, got {raw!r}")
    return int(raw) if raw else None


def whole(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if not lo <= value <= hi:
            raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    return parse


def days_or_off(name: str, raw: str) -> int | None:
    """RETENTION_DAYS: 0, the default, keeps names until they are withdrawn."""
    return whole(0, 36500)(name, raw) or None


def rate(name: str, raw: str) -> float:
    """BROADCAST_RATE: whole messages per second, as the float the limiter takes."""
    return float(whole(1, 30)(name, raw))


def listen(name: str, raw: str) -> tuple[str, int] | None:
    """METRICS_LISTEN: `PORT` (loopback) or `HOST:PORT`."""
    if not raw:
        return None
    host, _, port = raw.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"{name} must be PORT or HOST:PORT, got {raw!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def site_url(name: str, raw: str) -> str:
    """PUBLISH_URL: where the published site is served, for the snippets it shows."""
    if raw and not raw.startswith(("https://", "http://")):
        raise SettingsError(f"{name} must be an https:// address, got {raw!r}")
    if any(c in raw for c in "\"'<> "):
        raise SettingsError(f"{name} must be a plain address, got {raw!r}")
    return raw.rstrip("/")
