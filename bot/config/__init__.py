"""Typed settings, read once from the environment (and `.env`) and passed in explicitly.

Each variable is one `Setting` below, with its default, its README line and its parser; the
loader and the `Settings` defaults take them from there, and tests hold the README's table and
`.env.example` to them, so a default is written once. Loading only reads: where the signer key
comes from is recorded here, and bot/ops/signer_key.py reads or makes the key file at start-up.
Nothing here runs at import time but parsing the defaults, so tests import every module without
a token.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from bot.config.setting import (
    BACKUP_JOB_EVERY,
    LOOPBACK,
    SUPPORTED_LANGUAGES,
    TOKEN_PATTERN,
    Setting,
    SettingsError,
)
from bot.config.table import (
    ADMIN_IDS,
    ANNOUNCE_CHAT_ID,
    APPROVAL_MINUTES,
    BACKUP_DIR,
    BACKUP_EVERY_HOURS,
    BACKUP_KEEP,
    BACKUP_RECIPIENTS,
    BOT_API_BASE_URL,
    BOT_TOKEN,
    BOT_TOKEN_FILE,
    BOT_TOKENS,
    BOT_TOKENS_FILE,
    BROADCAST_LINKS,
    BROADCAST_RATE,
    BROADCAST_WAIT_MINUTES,
    CAMPAIGNS_DIR,
    DATABASE_PATH,
    DATABASE_POOL_SIZE,
    DATABASE_POOLER,
    DATABASE_URL,
    DATABASE_URL_FILE,
    DEFAULT_LANGUAGE,
    DESTRUCTIVE_PER_HOUR,
    DRAFT_TTL_HOURS,
    FOUR_EYES,
    LOG_FORMAT,
    LOG_LEVEL,
    METRICS_LISTEN,
    MODERATOR_IDS,
    PREFERENCES_DAYS,
    PREVIEWS_PER_HOUR,
    PSEUDONYM_COST,
    PUBLISH_COMMAND,
    PUBLISH_DIR,
    PUBLISH_EVERY_MINUTES,
    PUBLISH_TIMEOUT_SECONDS,
    PUBLISH_URL,
    RETENTION_DAYS,
    SIGNER_KEY,
    SIGNER_KEY_FILE,
    SMALL_COUNT,
    TRANSLATOR_IDS,
    WEBHOOK_LISTEN,
    WEBHOOK_PORT,
    WEBHOOK_SECRET,
    WEBHOOK_SECRET_FILE,
    WEBHOOK_URL,
    PseudonymCost,
)

__all__ = [  # what the rest of the bot imports from bot.config
    "BACKUP_JOB_EVERY",
    "SUPPORTED_LANGUAGES",
    "TOKEN_PATTERN",
    "PseudonymCost",
    "Settings",
    "SettingsError",
    "backup_window_days",
    "database_secrets",
    "default_key_file",
    "draft_lifetime",
    "env_file",
    "is_sealed",
    "load_settings",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """What the bot runs with; load_settings fills every field from the SETTINGS above."""

    # The official bots' tokens, the first being the primary's default (BOT_TOKENS, or
    # BOT_TOKEN's one); each bot is known by getMe's id, never by its place here.
    bot_tokens: tuple[str, ...] = field(repr=False)
    database_path: Path
    campaigns_dir: Path
    # PostgreSQL instead of SQLite when set (bot.storage.postgres); it holds a password.
    database_url: str | None = field(default=DATABASE_URL.default_value, repr=False)
    database_pooler: str = DATABASE_POOLER.default_value
    database_pool_size: int = DATABASE_POOL_SIZE.default_value
    admin_ids: frozenset[int] = ADMIN_IDS.default_value
    # Organisers with day-to-day moderation powers only (no exports of names, no backups).
    moderator_ids: frozenset[int] = MODERATOR_IDS.default_value
    # People who may submit a campaign's language text for an admin to approve, nothing more.
    translator_ids: frozenset[int] = TRANSLATOR_IDS.default_value
    # Per organiser and hour (bot.domain.budgets): previews of a signature, and removals,
    # blocks and hides.
    previews_per_hour: int = PREVIEWS_PER_HOUR.default_value
    destructive_per_hour: int = DESTRUCTIVE_PER_HOUR.default_value
    # Counts under this are merged and never shown exactly (bot.domain.aggregates).
    small_count: int = SMALL_COUNT.default_value
    # Four eyes (bot.domain.approvals): on unless FOUR_EYES=off; the window of a request; and
    # whether one admin alone may broadcast a link ("allow") or not ("second-admin").
    four_eyes: bool = FOUR_EYES.default_value == "on"
    approval_minutes: int = APPROVAL_MINUTES.default_value
    broadcast_links: str = BROADCAST_LINKS.default_value
    # age public keys; when set, backups and exports that hold names are encrypted to them.
    backup_recipients: tuple[str, ...] = BACKUP_RECIPIENTS.default_value
    default_language: str = DEFAULT_LANGUAGE.default_value
    log_level: str = LOG_LEVEL.default_value
    # SIGNER_KEY, or (empty until bot/ops/signer_key.py reads it) the key in signer_key_file.
    signer_key: bytes = field(default=SIGNER_KEY.default_value, repr=False)
    signer_key_file: Path | None = SIGNER_KEY_FILE.default_value
    # A token file sealed with a passphrase (bot/ops/sealed.py): bot_tokens stays empty until
    # an organiser unlocks the bot.
    sealed_token_file: Path | None = None
    api_base_url: str = BOT_API_BASE_URL.default_value
    webhook_url: str | None = WEBHOOK_URL.default_value
    webhook_secret: str | None = field(default=WEBHOOK_SECRET.default_value, repr=False)
    webhook_listen: str = WEBHOOK_LISTEN.default_value
    webhook_port: int = WEBHOOK_PORT.default_value
    announce_chat_id: int | None = ANNOUNCE_CHAT_ID.default_value
    retention_days: int | None = RETENTION_DAYS.default_value
    preferences_days: int = PREFERENCES_DAYS.default_value
    broadcast_rate: float = BROADCAST_RATE.default_value
    broadcast_wait_minutes: int = BROADCAST_WAIT_MINUTES.default_value
    draft_ttl_hours: int = DRAFT_TTL_HOURS.default_value
    # (host, port) of the /healthz and /metrics endpoint; None = off (the default).
    metrics_listen: tuple[str, int] | None = METRICS_LISTEN.default_value
    # Scheduled backups: off unless BACKUP_DIR is set (see bot/ops/backups.py).
    backup_dir: Path | None = BACKUP_DIR.default_value
    backup_every_hours: int = BACKUP_EVERY_HOURS.default_value
    backup_keep: int = BACKUP_KEEP.default_value
    # The public site (bot.site): off unless PUBLISH_DIR is set (bot/ops/publish.py).
    publish_dir: Path | None = PUBLISH_DIR.default_value
    publish_every_minutes: int = PUBLISH_EVERY_MINUTES.default_value
    publish_command: str | None = PUBLISH_COMMAND.default_value
    publish_timeout_seconds: int = PUBLISH_TIMEOUT_SECONDS.default_value
    publish_url: str = PUBLISH_URL.default_value
    log_format: str = LOG_FORMAT.default_value  # or "json": one JSON object per line
    pseudonym_cost: PseudonymCost = PSEUDONYM_COST.default_value
    # Problems that do not stop the bot, logged once at start.
    warnings: tuple[str, ...] = ()


def database_secrets(settings: Settings) -> list[str]:
    """What the log must never show of DATABASE_URL: the URL and its password on its own."""
    if not settings.database_url:
        return []
    password = urlsplit(settings.database_url).password or ""
    query = parse_qs(urlsplit(settings.database_url).query)
    return [settings.database_url, password, *query.get("password", [])]


def draft_lifetime(settings: Settings) -> int:
    """Seconds a draft lives after its last change (DRAFT_TTL_HOURS); the expiry job erases
    it after that, and until then it already counts as gone."""
    return settings.draft_ttl_hours * 3600


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
    chosen = SIGNER_KEY_FILE.read(env)
    if chosen is not None:
        return chosen, ()
    beside = database_path.parent / "signer.key"
    if beside.exists():  # where earlier versions created it: keeps working, with a warning
        return beside, (
            f"the signer key {beside} sits beside the database, so a backup of that folder "
            "carries both: move it elsewhere and set SIGNER_KEY_FILE (see README)",
        )
    return default_key_file(env), ()


AGE_HEADER = b"age-encryption.org/v1\n"


def is_sealed(path: Path) -> bool:
    """Whether the file is age-encrypted (sealed with a passphrase by `petition-bot seal`)."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(AGE_HEADER)) == AGE_HEADER
    except OSError:
        return False


def _secret_file(
    env: Mapping[str, str], file: Setting[Path | None], credential: str
) -> tuple[Path, str] | None:
    """The file `file` names or, when it is unset, systemd's credential of that name."""
    path = file.read(env)
    if path is not None:
        return path, file.name
    credentials = env.get("CREDENTIALS_DIRECTORY", "").strip()
    if credentials and (Path(credentials) / credential).is_file():
        return Path(credentials) / credential, f"the systemd credential {credential}"
    return None


def _secret(
    env: Mapping[str, str], value: Setting[T], file: Setting[Path | None], credential: str
) -> tuple[T, tuple[str, ...]]:
    """A secret from its variable, or read from a file so that it need not sit in the
    environment (which other processes of the same user, and crash reports, can see).

    The file is the one `file` names or, when neither is set, systemd's credential of that
    name (`LoadCredential=`). Given both ways, it is refused: one of them would be stale.
    """
    given = env.get(value.name, "").strip()
    found = _secret_file(env, file, credential)
    if found is None:
        return value.read(env), ()
    path, source = found
    if given:
        raise SettingsError(f"{value.name} is set, and so is {source}: keep one of them")
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise SettingsError(f"{source} {path} cannot be read: {reason}") from None
    if not text:
        raise SettingsError(f"{source} {path} is empty")
    warnings: tuple[str, ...] = ()
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        warnings = (f"{source} {path} can be read by other users (mode {mode:o}): chmod 600 it",)
    return value.parse(f"{source} {path}", text), warnings


def _token(env: Mapping[str, str]) -> tuple[tuple[str, ...], Path | None, tuple[str, ...]]:
    """The bots' tokens (BOT_TOKENS, or BOT_TOKEN's one), or the sealed file that holds
    them (read only once unlocked)."""
    one = (
        bool(env.get(BOT_TOKEN.name, "").strip())
        or _secret_file(env, BOT_TOKEN_FILE, "bot-token") is not None
    )
    several = (
        bool(env.get(BOT_TOKENS.name, "").strip())
        or _secret_file(env, BOT_TOKENS_FILE, "bot-tokens") is not None
    )
    if one and several:
        raise SettingsError("BOT_TOKEN and BOT_TOKENS are both given: keep one of them")
    value, file, credential = (
        (BOT_TOKENS, BOT_TOKENS_FILE, "bot-tokens")
        if several
        else (BOT_TOKEN, BOT_TOKEN_FILE, "bot-token")
    )
    found = _secret_file(env, file, credential)
    if found is not None and is_sealed(found[0]):
        if env.get(value.name, "").strip():
            raise SettingsError(f"{value.name} is set, and so is {found[1]}: keep one of them")
        return (), found[0], ()
    if several:
        tokens, warnings = _secret(env, BOT_TOKENS, BOT_TOKENS_FILE, "bot-tokens")
        return tokens, None, warnings
    token, warnings = _secret(env, BOT_TOKEN, BOT_TOKEN_FILE, "bot-token")
    return (token,), None, warnings


def _reachable(listen: tuple[str, int] | None, raw: str) -> tuple[str, ...]:
    """A warning when the metrics endpoint listens beyond this machine."""
    if listen is None or listen[0] in LOOPBACK or listen[0].startswith("127."):
        return ()
    return (
        f"METRICS_LISTEN {raw} is reachable from other machines: put it behind a firewall "
        "or an authenticating proxy (counts and health are not personal, but are not public)",
    )


def _four_eyes(admin_ids: frozenset[int], switched_on: bool) -> tuple[str, ...]:
    """One warning line when no second admin guards exports, backups and broadcasts."""
    if not switched_on:
        return (
            "FOUR_EYES=off: one admin alone can export names, take backups, broadcast and "
            "purge; set FOUR_EYES=on (README, threat model d)",
        )
    if len(admin_ids) == 1:
        return (
            "one admin in ADMIN_IDS: exports of names, backups and broadcasts need no second "
            "admin; add one to ADMIN_IDS for four eyes (README, threat model d)",
        )
    return ()


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
    bot_tokens, sealed_token_file, token_warnings = _token(env)
    database_path = DATABASE_PATH.read(env)
    webhook_url = WEBHOOK_URL.read(env)
    webhook_secret, secret_warnings = _secret(
        env, WEBHOOK_SECRET, WEBHOOK_SECRET_FILE, "webhook-secret"
    )
    if webhook_url:
        if not webhook_secret:
            raise SettingsError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
            raise SettingsError(
                "WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -"
            )
    database_url, url_warnings = _secret(env, DATABASE_URL, DATABASE_URL_FILE, "database-url")
    signer_key = SIGNER_KEY.read(env)
    key_file: Path | None = None
    warnings: tuple[str, ...] = ()
    if not signer_key:
        key_file, warnings = _key_file(env, database_path)
    metrics_listen = METRICS_LISTEN.read(env)
    warnings += _reachable(metrics_listen, METRICS_LISTEN.text(env))
    backup_dir, recipients = BACKUP_DIR.read(env), BACKUP_RECIPIENTS.read(env)
    if backup_dir and database_url:
        raise SettingsError(
            "BACKUP_DIR is for SQLite: back up PostgreSQL with pg_dump (README, PostgreSQL)"
        )
    if backup_dir and not recipients:
        warnings += (
            "BACKUP_DIR is set without BACKUP_RECIPIENTS: the scheduled backups hold names in "
            "clear text; set BACKUP_RECIPIENTS before copying them anywhere",
        )
    admin_ids, four_eyes = ADMIN_IDS.read(env), FOUR_EYES.read(env) == "on"
    warnings += _four_eyes(admin_ids, four_eyes)
    return Settings(
        bot_tokens=bot_tokens,
        database_path=database_path,
        campaigns_dir=CAMPAIGNS_DIR.read(env),
        database_url=database_url,
        database_pooler=DATABASE_POOLER.read(env),
        database_pool_size=DATABASE_POOL_SIZE.read(env),
        admin_ids=admin_ids,
        moderator_ids=MODERATOR_IDS.read(env),
        translator_ids=TRANSLATOR_IDS.read(env),
        previews_per_hour=PREVIEWS_PER_HOUR.read(env),
        small_count=SMALL_COUNT.read(env),
        destructive_per_hour=DESTRUCTIVE_PER_HOUR.read(env),
        four_eyes=four_eyes,
        approval_minutes=APPROVAL_MINUTES.read(env),
        broadcast_links=BROADCAST_LINKS.read(env),
        backup_recipients=recipients,
        default_language=DEFAULT_LANGUAGE.read(env),
        log_level=LOG_LEVEL.read(env),
        signer_key=signer_key,
        signer_key_file=key_file,
        sealed_token_file=sealed_token_file,
        api_base_url=BOT_API_BASE_URL.read(env),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=WEBHOOK_LISTEN.read(env),
        webhook_port=WEBHOOK_PORT.read(env),
        announce_chat_id=ANNOUNCE_CHAT_ID.read(env),
        retention_days=RETENTION_DAYS.read(env),
        preferences_days=PREFERENCES_DAYS.read(env),
        broadcast_rate=BROADCAST_RATE.read(env),
        broadcast_wait_minutes=BROADCAST_WAIT_MINUTES.read(env),
        draft_ttl_hours=DRAFT_TTL_HOURS.read(env),
        metrics_listen=metrics_listen,
        backup_dir=backup_dir,
        backup_every_hours=BACKUP_EVERY_HOURS.read(env),
        backup_keep=BACKUP_KEEP.read(env),
        publish_dir=PUBLISH_DIR.read(env),
        publish_every_minutes=PUBLISH_EVERY_MINUTES.read(env),
        publish_command=PUBLISH_COMMAND.read(env),
        publish_timeout_seconds=PUBLISH_TIMEOUT_SECONDS.read(env),
        publish_url=PUBLISH_URL.read(env),
        log_format=LOG_FORMAT.read(env),
        pseudonym_cost=PSEUDONYM_COST.read(env),
        warnings=token_warnings + secret_warnings + url_warnings + warnings + _retired(env),
    )


def _retired(env: Mapping[str, str]) -> tuple[str, ...]:
    """A warning for each setting still set that the bot no longer reads."""
    if env.get("PUBLISH_BOTS", "").strip():
        return (
            "PUBLISH_BOTS is no longer read: the public page names the official bots the "
            "database knows (see /bots); remove it",
        )
    return ()
