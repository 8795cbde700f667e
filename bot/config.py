"""Typed settings, read once from the environment (and `.env`) and passed in explicitly.

Each variable is one `Setting` below, with its default, its README line and its parser; the
loader and the `Settings` defaults take them from there, and tests hold the README's table and
`.env.example` to them, so a default is written once. Loading only reads: where the signer key
comes from is recorded here, and bot/ops/signer_key.py reads or makes the key file at start-up.
Nothing here runs at import time but parsing the defaults, so tests import every module without
a token.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")

SUPPORTED_LANGUAGES = ("en", "be", "ru", "uk", "pl")
# Seconds between the scheduled backup job's checks. Not a setting, but a withdrawn name can
# wait this long for the backup that rotates the oldest copy out (backup_window_days).
BACKUP_JOB_EVERY = 600
TOKEN_PATTERN = r"\d{3,12}:[A-Za-z0-9_-]{20,64}"  # what BotFather issues
_TOKEN_RE = re.compile(f"^{TOKEN_PATTERN}$")
_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


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


def _text(name: str, raw: str) -> str:
    return raw


def _optional_text(name: str, raw: str) -> str | None:
    return raw or None


def _token(name: str, raw: str) -> str:
    if not raw:
        raise SettingsError(f"{name} is not set: get one from @BotFather and put it in .env")
    if not _TOKEN_RE.match(raw):
        raise SettingsError(f"{name} is malformed: expected <digits>:<secret> from @BotFather")
    return raw


def _ids(name: str, raw: str) -> frozenset[int]:
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


def _recipients(name: str, raw: str) -> tuple[str, ...]:
    keys = tuple(part for part in re.split(r"[\s,]+", raw) if part)
    for key in keys:
        if not _AGE_RECIPIENT.fullmatch(key):
            raise SettingsError(
                f"{name} must be age public keys (age1…, 62 characters), got {key!r}"
            )
    return keys


def _path(name: str, raw: str) -> Path:
    """Relative paths are resolved against the folder the bot was started in, once, here."""
    return (Path.cwd() / raw).resolve()


def _optional_path(name: str, raw: str) -> Path | None:
    return _path(name, raw) if raw else None


def _language(name: str, raw: str) -> str:
    if raw not in SUPPORTED_LANGUAGES:
        raise SettingsError(f"{name} must be one of {', '.join(SUPPORTED_LANGUAGES)}, got {raw!r}")
    return raw


def _log_level(name: str, raw: str) -> str:
    level = raw.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"{name} must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return level


def _log_format(name: str, raw: str) -> str:
    fmt = raw.lower()
    if fmt not in ("text", "json"):
        raise SettingsError(f"{name} must be text or json, got {fmt!r}")
    return fmt


def _signer_key(name: str, raw: str) -> bytes:
    """Empty means "use the key file"; a key of 32+ characters from an older version is kept."""
    if raw and len(raw) < 32:
        raise SettingsError(f"{name} must be 64 hex digits")
    return raw.encode()


def _base_url(name: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must start with http:// or https://: {raw!r}")
    return raw


def _webhook_url(name: str, raw: str) -> str | None:
    if raw and not raw.startswith("https://") and not raw.startswith("http://127."):
        raise SettingsError(f"{name} must be an https:// URL")
    return raw or None


def _chat_id(name: str, raw: str) -> int | None:
    if raw and not re.fullmatch(r"-?\d+", raw):
        raise SettingsError(f"{name} must be a numeric chat id, got {raw!r}")
    return int(raw) if raw else None


def _whole(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if not lo <= value <= hi:
            raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    return parse


def _days_or_off(name: str, raw: str) -> int | None:
    """RETENTION_DAYS: 0, the default, keeps names until they are withdrawn."""
    return _whole(0, 36500)(name, raw) or None


def _rate(name: str, raw: str) -> float:
    """BROADCAST_RATE: whole messages per second, as the float the limiter takes."""
    return float(_whole(1, 30)(name, raw))


def _listen(name: str, raw: str) -> tuple[str, int] | None:
    """METRICS_LISTEN: `PORT` (loopback) or `HOST:PORT`."""
    if not raw:
        return None
    host, _, port = raw.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"{name} must be PORT or HOST:PORT, got {raw!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


# -- the settings, in the order of the README's table and .env.example ------------------------

BOT_TOKEN = Setting("BOT_TOKEN", "", _token, "the token from @BotFather", shown="— (required)")
BOT_TOKEN_FILE = Setting(
    "BOT_TOKEN_FILE",
    "",  # systemd's credential bot-token when set, see _secret
    _optional_path,
    "a file that holds the token, so it need not sit in the environment (`BOT_TOKEN` or this, "
    "not both)",
    shown="none (`$CREDENTIALS_DIRECTORY/bot-token` under systemd)",
)
ADMIN_IDS = Setting(
    "ADMIN_IDS",
    "",
    _ids,
    "comma-separated Telegram user ids of the organisers with every power",
    shown="empty",
)
MODERATOR_IDS = Setting(
    "MODERATOR_IDS",
    "",
    _ids,
    "comma-separated Telegram user ids of moderators: stats, remove, block and sources, but no "
    "exports of names, backups, broadcasts, goals or reload",
    shown="empty",
)
BACKUP_RECIPIENTS = Setting(
    "BACKUP_RECIPIENTS",
    "",
    _recipients,
    "age public keys (`age1…`); when set, backups and exports with names are encrypted to them "
    '(see "Encrypted backups and exports")',
    shown="empty",
)
DATABASE_PATH = Setting("DATABASE_PATH", "data/bot.sqlite3", _path, "the SQLite database")
CAMPAIGNS_DIR = Setting("CAMPAIGNS_DIR", "campaigns", _path, "campaign content folders")
DEFAULT_LANGUAGE = Setting(
    "DEFAULT_LANGUAGE",
    "en",
    _language,
    "language for users whose Telegram language is not supported "
    f"(`{' '.join(SUPPORTED_LANGUAGES)}`)",
)
LOG_LEVEL = Setting(
    "LOG_LEVEL", "INFO", _log_level, "our own log level; libraries are capped at WARNING"
)
SIGNER_KEY = Setting(
    "SIGNER_KEY",
    "",
    _signer_key,
    "HMAC key for signer pseudonyms: 64 hex digits (a key of ≥ 32 characters made by an older "
    "version keeps working)",
    shown="key file",
)
SIGNER_KEY_FILE = Setting(
    "SIGNER_KEY_FILE",
    "",  # worked out by _key_file: the credentials or configuration folder
    _optional_path,
    "where the key is kept, created with mode 0600 on a first start when `SIGNER_KEY` is empty; "
    "a `data/signer.key` made by an older version keeps working, with a warning",
    shown="`~/.config/petition-bot/signer.key` (`$CREDENTIALS_DIRECTORY/signer.key` under systemd)",
)
BOT_API_BASE_URL = Setting(
    "BOT_API_BASE_URL",
    "https://api.telegram.org/bot",
    _base_url,
    "Bot API server; the token is appended (use a local Bot API server here)",
)
WEBHOOK_URL = Setting(
    "WEBHOOK_URL", "", _webhook_url, "use a webhook instead of polling", shown="empty"
)
WEBHOOK_SECRET = Setting(
    "WEBHOOK_SECRET",
    "",
    _optional_text,
    "required with `WEBHOOK_URL`; Telegram's secret token header",
    shown="—",
)
WEBHOOK_SECRET_FILE = Setting(
    "WEBHOOK_SECRET_FILE",
    "",  # systemd's credential webhook-secret when set, see _secret
    _optional_path,
    "a file that holds the webhook secret (`WEBHOOK_SECRET` or this, not both)",
    shown="none (`$CREDENTIALS_DIRECTORY/webhook-secret` under systemd)",
)
WEBHOOK_LISTEN = Setting(
    "WEBHOOK_LISTEN",
    "127.0.0.1",
    _text,
    "where the webhook server listens (behind your TLS proxy)",
)
WEBHOOK_PORT = Setting("WEBHOOK_PORT", "8443", _whole(1, 65535), "")  # WEBHOOK_LISTEN's row
ANNOUNCE_CHAT_ID = Setting(
    "ANNOUNCE_CHAT_ID", "", _chat_id, "a chat where reached goals are announced", shown="empty"
)
RETENTION_DAYS = Setting(
    "RETENTION_DAYS",
    "0",
    _days_or_off,
    "erase names this many days after a campaign closes",
    shown="off",
)
PREFERENCES_DAYS = Setting(
    "PREFERENCES_DAYS",
    "90",
    _whole(1, 90),
    "a person's language and clean-up choice are erased after this many days untouched"
    " (sooner when `RETENTION_DAYS` is shorter)",
)
BROADCAST_RATE = Setting("BROADCAST_RATE", "25", _rate, "broadcast messages per second")
DRAFT_TTL_HOURS = Setting(
    "DRAFT_TTL_HOURS", "24", _whole(1, 720), "unfinished signatures are erased after this"
)
METRICS_LISTEN = Setting(
    "METRICS_LISTEN",
    "",
    _listen,
    "`PORT` or `HOST:PORT` for `/healthz` and `/metrics` (loopback unless you name a host)",
    shown="off",
)
BACKUP_DIR = Setting(
    "BACKUP_DIR",
    "",
    _optional_path,
    'scheduled backups go here (see "Scheduled backups and restore")',
    shown="off",
)
BACKUP_EVERY_HOURS = Setting(
    "BACKUP_EVERY_HOURS",
    "24",
    _whole(1, 24 * 7),
    "how often, and how many are kept (keep it short: withdrawn names live on in older backups)",
)
BACKUP_KEEP = Setting("BACKUP_KEEP", "7", _whole(1, 90), "")  # BACKUP_EVERY_HOURS's row
LOG_FORMAT = Setting("LOG_FORMAT", "text", _log_format, "`json`: one JSON object per line")


class PseudonymCost(NamedTuple):
    """argon2id's memory (KiB), passes and lanes for the pseudonym base (bot/crypto.py)."""

    memory_kib: int
    passes: int
    lanes: int = 1

    @property
    def text(self) -> str:
        """How it is written in the setting and recorded in the database."""
        return f"argon2id:m={self.memory_kib},t={self.passes},p={self.lanes}"

    def weaker_than(self, other: PseudonymCost) -> bool:
        return self.memory_kib < other.memory_kib or self.passes < other.passes

    @classmethod
    def parse(cls, text: str) -> PseudonymCost | None:
        found = re.fullmatch(r"argon2id:m=(\d{1,8}),t=(\d{1,3}),p=(\d{1,2})", text)
        return cls(*(int(g) for g in found.groups())) if found else None


PSEUDONYM_MINIMUM = PseudonymCost(19 * 1024, 2, 1)  # OWASP's minimum for argon2id
# Only for tests and benchmarks of everything else: the same code path at a few microseconds.
PSEUDONYM_TEST_COST = PseudonymCost(8, 1, 1)
INSECURE_TEST = "insecure-test-only"


def _pseudonym_cost(name: str, raw: str) -> PseudonymCost:
    """PSEUDONYM_COST: empty for OWASP's minimum, stronger parameters, or the test value.

    Nothing below the minimum is accepted but the one spelled-out test value, and the database
    refuses any cost weaker than the one it recorded (bot/storage/keys.py).
    """
    if raw == INSECURE_TEST:
        return PSEUDONYM_TEST_COST
    cost = PseudonymCost.parse(raw) if raw else PSEUDONYM_MINIMUM
    if cost is None or cost.weaker_than(PSEUDONYM_MINIMUM) or cost.lanes != 1:
        raise SettingsError(
            f"{name} must be empty (argon2id, 19 MiB, 2 passes) or at least "
            f"{PSEUDONYM_MINIMUM.text} with p=1, got {raw!r}"
        )
    return cost


PSEUDONYM_COST = Setting(
    "PSEUDONYM_COST",
    "",
    _pseudonym_cost,
    "argon2id cost of a pseudonym, e.g. `argon2id:m=47104,t=1,p=1`; fixed once recorded",
    shown=f"`{PSEUDONYM_MINIMUM.text}`",
)

SETTINGS: tuple[Setting[Any], ...] = (
    BOT_TOKEN,
    BOT_TOKEN_FILE,
    ADMIN_IDS,
    MODERATOR_IDS,
    BACKUP_RECIPIENTS,
    DATABASE_PATH,
    CAMPAIGNS_DIR,
    DEFAULT_LANGUAGE,
    LOG_LEVEL,
    SIGNER_KEY,
    SIGNER_KEY_FILE,
    BOT_API_BASE_URL,
    WEBHOOK_URL,
    WEBHOOK_SECRET,
    WEBHOOK_SECRET_FILE,
    WEBHOOK_LISTEN,
    WEBHOOK_PORT,
    ANNOUNCE_CHAT_ID,
    RETENTION_DAYS,
    PREFERENCES_DAYS,
    BROADCAST_RATE,
    DRAFT_TTL_HOURS,
    METRICS_LISTEN,
    BACKUP_DIR,
    BACKUP_EVERY_HOURS,
    BACKUP_KEEP,
    LOG_FORMAT,
    PSEUDONYM_COST,
)


@dataclass(frozen=True)
class Settings:
    """What the bot runs with; load_settings fills every field from the SETTINGS above."""

    bot_token: str = field(repr=False)
    database_path: Path
    campaigns_dir: Path
    admin_ids: frozenset[int] = ADMIN_IDS.default_value
    # Organisers with day-to-day moderation powers only (no exports of names, no backups).
    moderator_ids: frozenset[int] = MODERATOR_IDS.default_value
    # age public keys; when set, backups and exports that hold names are encrypted to them.
    backup_recipients: tuple[str, ...] = BACKUP_RECIPIENTS.default_value
    default_language: str = DEFAULT_LANGUAGE.default_value
    log_level: str = LOG_LEVEL.default_value
    # SIGNER_KEY, or (empty until bot/ops/signer_key.py reads it) the key in signer_key_file.
    signer_key: bytes = field(default=SIGNER_KEY.default_value, repr=False)
    signer_key_file: Path | None = SIGNER_KEY_FILE.default_value
    api_base_url: str = BOT_API_BASE_URL.default_value
    webhook_url: str | None = WEBHOOK_URL.default_value
    webhook_secret: str | None = field(default=WEBHOOK_SECRET.default_value, repr=False)
    webhook_listen: str = WEBHOOK_LISTEN.default_value
    webhook_port: int = WEBHOOK_PORT.default_value
    announce_chat_id: int | None = ANNOUNCE_CHAT_ID.default_value
    retention_days: int | None = RETENTION_DAYS.default_value
    preferences_days: int = PREFERENCES_DAYS.default_value
    broadcast_rate: float = BROADCAST_RATE.default_value
    draft_ttl_hours: int = DRAFT_TTL_HOURS.default_value
    # (host, port) of the /healthz and /metrics endpoint; None = off (the default).
    metrics_listen: tuple[str, int] | None = METRICS_LISTEN.default_value
    # Scheduled backups: off unless BACKUP_DIR is set (see bot/ops/backups.py).
    backup_dir: Path | None = BACKUP_DIR.default_value
    backup_every_hours: int = BACKUP_EVERY_HOURS.default_value
    backup_keep: int = BACKUP_KEEP.default_value
    log_format: str = LOG_FORMAT.default_value  # or "json": one JSON object per line
    pseudonym_cost: PseudonymCost = PSEUDONYM_COST.default_value
    # Problems that do not stop the bot, logged once at start.
    warnings: tuple[str, ...] = ()


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


def _secret(
    env: Mapping[str, str], value: Setting[T], file: Setting[Path | None], credential: str
) -> tuple[T, tuple[str, ...]]:
    """A secret from its variable, or read from a file so that it need not sit in the
    environment (which other processes of the same user, and crash reports, can see).

    The file is the one `file` names or, when neither is set, systemd's credential of that
    name (`LoadCredential=`). Given both ways, it is refused: one of them would be stale.
    """
    given = env.get(value.name, "").strip()
    path, source = file.read(env), file.name
    if path is None:
        credentials = env.get("CREDENTIALS_DIRECTORY", "").strip()
        if credentials and (Path(credentials) / credential).is_file():
            path, source = Path(credentials) / credential, f"the systemd credential {credential}"
    if path is None:
        return value.read(env), ()
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


def _reachable(listen: tuple[str, int] | None, raw: str) -> tuple[str, ...]:
    """A warning when the metrics endpoint listens beyond this machine."""
    if listen is None or listen[0] in _LOOPBACK or listen[0].startswith("127."):
        return ()
    return (
        f"METRICS_LISTEN {raw} is reachable from other machines: put it behind a firewall "
        "or an authenticating proxy (counts and health are not personal, but are not public)",
    )


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
    token, token_warnings = _secret(env, BOT_TOKEN, BOT_TOKEN_FILE, "bot-token")
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
    signer_key = SIGNER_KEY.read(env)
    key_file: Path | None = None
    warnings: tuple[str, ...] = ()
    if not signer_key:
        key_file, warnings = _key_file(env, database_path)
    metrics_listen = METRICS_LISTEN.read(env)
    warnings += _reachable(metrics_listen, METRICS_LISTEN.text(env))
    backup_dir, recipients = BACKUP_DIR.read(env), BACKUP_RECIPIENTS.read(env)
    if backup_dir and not recipients:
        warnings += (
            "BACKUP_DIR is set without BACKUP_RECIPIENTS: the scheduled backups hold names in "
            "clear text; set BACKUP_RECIPIENTS before copying them anywhere",
        )
    return Settings(
        bot_token=token,
        database_path=database_path,
        campaigns_dir=CAMPAIGNS_DIR.read(env),
        admin_ids=ADMIN_IDS.read(env),
        moderator_ids=MODERATOR_IDS.read(env),
        backup_recipients=recipients,
        default_language=DEFAULT_LANGUAGE.read(env),
        log_level=LOG_LEVEL.read(env),
        signer_key=signer_key,
        signer_key_file=key_file,
        api_base_url=BOT_API_BASE_URL.read(env),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=WEBHOOK_LISTEN.read(env),
        webhook_port=WEBHOOK_PORT.read(env),
        announce_chat_id=ANNOUNCE_CHAT_ID.read(env),
        retention_days=RETENTION_DAYS.read(env),
        preferences_days=PREFERENCES_DAYS.read(env),
        broadcast_rate=BROADCAST_RATE.read(env),
        draft_ttl_hours=DRAFT_TTL_HOURS.read(env),
        metrics_listen=metrics_listen,
        backup_dir=backup_dir,
        backup_every_hours=BACKUP_EVERY_HOURS.read(env),
        backup_keep=BACKUP_KEEP.read(env),
        log_format=LOG_FORMAT.read(env),
        pseudonym_cost=PSEUDONYM_COST.read(env),
        warnings=token_warnings + secret_warnings + warnings,
    )


def readme_table() -> str:
    """The README's configuration table, made from SETTINGS (tests keep the README equal)."""
    rows: list[tuple[list[str], list[str], str]] = []
    for setting in SETTINGS:
        if setting.meaning or not rows:
            rows.append(([], [], setting.meaning))
        names, defaults, _ = rows[-1]
        names.append(f"`{setting.name}`")
        defaults.append(setting.documented_default)
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    lines += [f"| {', '.join(n)} | {', '.join(d)} | {m} |" for n, d, m in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # `python -m bot.config`: the table to paste into the README
    sys.stdout.write(readme_table())
