"""Typed settings, read once from the environment (and `.env`) and passed in explicitly.

Loading only reads: where the signer key comes from is recorded here, and
bot/ops/signer_key.py reads or makes the key file at start-up. Nothing here runs at import
time, so tests import every module without a token.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
SUPPORTED_LANGUAGES = ("en", "be", "ru", "uk", "pl")
# Seconds between the scheduled backup job's checks. Not a setting, but a withdrawn name can
# wait this long for the backup that rotates the oldest copy out (backup_window_days).
BACKUP_JOB_EVERY = 600
_TOKEN_RE = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{20,64}$")


class SettingsError(Exception):
    """A missing or malformed variable; the message names it, for a one-line exit."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)
    admin_ids: frozenset[int]
    database_path: Path
    campaigns_dir: Path
    # SIGNER_KEY, or (empty until bot/ops/signer_key.py reads it) the key in signer_key_file.
    signer_key: bytes = field(default=b"", repr=False)
    signer_key_file: Path | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    default_language: str = "en"
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    announce_chat_id: int | None = None
    retention_days: int | None = None
    broadcast_rate: float = 25.0
    draft_ttl_hours: int = 24
    # Organisers with day-to-day moderation powers only (no exports of names, no backups).
    moderator_ids: frozenset[int] = frozenset()
    # age public keys; when set, backups and exports that hold names are encrypted to them.
    backup_recipients: tuple[str, ...] = ()
    # Problems that do not stop the bot, logged once at start.
    warnings: tuple[str, ...] = ()
    # (host, port) of the /healthz and /metrics endpoint; None = off (the default).
    metrics_listen: tuple[str, int] | None = None
    # Scheduled backups: off unless BACKUP_DIR is set (see bot/ops/backups.py).
    backup_dir: Path | None = None
    backup_every_hours: int = 24
    backup_keep: int = 7
    log_format: str = "text"  # or "json": one JSON object per line


def backup_window_days(settings: Settings) -> int | None:
    """Days a withdrawn name may remain in scheduled backups; None when they are off.

    A withdrawal is in every backup made after it. The older ones rotate out once BACKUP_KEEP
    newer backups exist, i.e. at most BACKUP_KEEP × BACKUP_EVERY_HOURS after the withdrawal
    (plus the job's ten-minute check). Rotation happens only after a backup succeeds, so a
    run of failed backups lengthens this; /healthz and /metrics report that.
    """
    if settings.backup_dir is None:
        return None
    hours = settings.backup_keep * settings.backup_every_hours + BACKUP_JOB_EVERY / 3600
    return math.ceil(hours / 24)


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")


def _recipients(raw: str) -> tuple[str, ...]:
    keys = tuple(part for part in re.split(r"[\s,]+", raw.strip()) if part)
    for key in keys:
        if not _AGE_RECIPIENT.fullmatch(key):
            raise SettingsError(
                f"BACKUP_RECIPIENTS must be age public keys (age1…, 62 characters), got {key!r}"
            )
    return keys


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _listen(raw: str) -> tuple[tuple[str, int] | None, tuple[str, ...]]:
    """METRICS_LISTEN: `PORT` (loopback) or `HOST:PORT`; a warning unless it is loopback."""
    raw = raw.strip()
    if not raw:
        return None, ()
    host, _, port = raw.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"METRICS_LISTEN must be PORT or HOST:PORT, got {raw!r}")
    if host in _LOOPBACK or host.startswith("127."):
        return (host, int(port)), ()
    return (host, int(port)), (
        f"METRICS_LISTEN {raw} is reachable from other machines: put it behind a firewall "
        "or an authenticating proxy (counts and health are not personal, but are not public)",
    )


def _admin_ids(raw: str, name: str = "ADMIN_IDS") -> frozenset[int]:
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


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    """Relative paths are resolved against the folder the bot was started in, once, here."""
    return (Path.cwd() / (env.get(name, "").strip() or default)).resolve()


def default_key_file(env: Mapping[str, str]) -> Path:
    """Where a new install keeps its signer key: never beside the database.

    Under systemd, `LoadCredential=signer.key:…` puts it in $CREDENTIALS_DIRECTORY; elsewhere
    it lives in the user's configuration folder, so a backup of `data/` never carries it.
    """
    credentials = env.get("CREDENTIALS_DIRECTORY", "").strip()
    if credentials:
        return Path(credentials) / "signer.key"
    config = env.get("XDG_CONFIG_HOME", "").strip()
    home = env.get("HOME", "").strip()
    base = Path(config) if config else (Path(home) if home else Path.home()) / ".config"
    return base / "petition-bot" / "signer.key"


def _key_file(env: Mapping[str, str], database_path: Path) -> tuple[Path, tuple[str, ...]]:
    """The key file to read when SIGNER_KEY is empty, and a warning for the old place.

    It must never live inside the database; reading or making it is bot/ops/signer_key.py's.
    """
    if env.get("SIGNER_KEY_FILE", "").strip():
        return _path(env, "SIGNER_KEY_FILE", ""), ()
    beside = database_path.parent / "signer.key"
    if beside.exists():  # where earlier versions created it: keeps working, with a warning
        return beside, (
            f"the signer key {beside} sits beside the database, so a backup of that folder "
            "carries both: move it elsewhere and set SIGNER_KEY_FILE (see README)",
        )
    return default_key_file(env), ()


def env_file(env: Mapping[str, str]) -> Path:
    """`ENV_FILE` if set, else `.env` in the working folder (never beside the installed code)."""
    return Path(env.get("ENV_FILE", "").strip() or ".env")


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build Settings from `env` (default: the process environment plus the `.env` file).

    Variables already in the environment win over the file. Nothing is written: the signer
    key file is only located (bot/ops/signer_key.py reads or makes it).
    """
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            path = env_file(os.environ)
            if os.environ.get("ENV_FILE", "").strip() and not path.is_file():
                raise SettingsError(f"ENV_FILE {str(path)!r} is not a readable file")
            load_dotenv(path, override=False)
        env = os.environ
    token = env.get("BOT_TOKEN", "").strip()
    if not token:
        raise SettingsError("BOT_TOKEN is not set: get one from @BotFather and put it in .env")
    if not _TOKEN_RE.match(token):
        raise SettingsError("BOT_TOKEN is malformed: expected <digits>:<secret> from @BotFather")
    database_path = _path(env, "DATABASE_PATH", "data/bot.sqlite3")
    default_language = env.get("DEFAULT_LANGUAGE", "").strip() or "en"
    if default_language not in SUPPORTED_LANGUAGES:
        raise SettingsError(
            f"DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}, "
            f"got {default_language!r}"
        )
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if not isinstance(logging.getLevelName(log_level), int):
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    base_url = env.get("BOT_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"BOT_API_BASE_URL must start with http:// or https://: {base_url!r}")
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url:
        if not webhook_url.startswith("https://") and not webhook_url.startswith("http://127."):
            raise SettingsError("WEBHOOK_URL must be an https:// URL")
        if not webhook_secret:
            raise SettingsError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
            raise SettingsError(
                "WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -"
            )
    announce = env.get("ANNOUNCE_CHAT_ID", "").strip()
    if announce and not re.fullmatch(r"-?\d+", announce):
        raise SettingsError(f"ANNOUNCE_CHAT_ID must be a numeric chat id, got {announce!r}")
    retention = _int(env, "RETENTION_DAYS", 0, 0, 36500)
    raw_key = env.get("SIGNER_KEY", "").strip()
    if raw_key and len(raw_key) < 32:
        raise SettingsError("SIGNER_KEY must be 64 hex digits")
    signer_key = raw_key.encode()
    key_file: Path | None = None
    key_warnings: tuple[str, ...] = ()
    if not signer_key:
        key_file, key_warnings = _key_file(env, database_path)
    rate = _int(env, "BROADCAST_RATE", 25, 1, 30)
    metrics_listen, ops_warnings = _listen(env.get("METRICS_LISTEN", ""))
    log_format = (env.get("LOG_FORMAT", "").strip() or "text").lower()
    if log_format not in ("text", "json"):
        raise SettingsError(f"LOG_FORMAT must be text or json, got {log_format!r}")
    backup_dir = env.get("BACKUP_DIR", "").strip()
    recipients = _recipients(env.get("BACKUP_RECIPIENTS", ""))
    if backup_dir and not recipients:
        ops_warnings += (
            "BACKUP_DIR is set without BACKUP_RECIPIENTS: the scheduled backups hold names in "
            "clear text; set BACKUP_RECIPIENTS before copying them anywhere",
        )
    return Settings(
        bot_token=token,
        admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
        database_path=database_path,
        campaigns_dir=_path(env, "CAMPAIGNS_DIR", "campaigns"),
        signer_key=signer_key,
        signer_key_file=key_file,
        warnings=key_warnings + ops_warnings,
        api_base_url=base_url,
        default_language=default_language,
        log_level=log_level,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=_int(env, "WEBHOOK_PORT", 8443, 1, 65535),
        announce_chat_id=int(announce) if announce else None,
        retention_days=retention or None,
        broadcast_rate=float(rate),
        draft_ttl_hours=_int(env, "DRAFT_TTL_HOURS", 24, 1, 720),
        moderator_ids=_admin_ids(env.get("MODERATOR_IDS", ""), "MODERATOR_IDS"),
        backup_recipients=recipients,
        metrics_listen=metrics_listen,
        backup_dir=_path(env, "BACKUP_DIR", "") if backup_dir else None,
        backup_every_hours=_int(env, "BACKUP_EVERY_HOURS", 24, 1, 24 * 7),
        backup_keep=_int(env, "BACKUP_KEEP", 7, 1, 90),
        log_format=log_format,
    )
