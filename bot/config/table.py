"""Every setting, in the order of the README's table and `.env.example`, with its default,
its README line and its parser: the one place a default is written. `python -m bot.config`
prints the README's table from here (tests keep the README and `.env.example` equal)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from bot.config.setting import (
    SUPPORTED_LANGUAGES,
    Setting,
    SettingsError,
    base_url,
    chat_id,
    choice,
    database_url,
    days_or_off,
    ids,
    language,
    listen,
    log_format,
    log_level,
    optional_path,
    optional_text,
    path,
    rate,
    recipients,
    signer_key,
    site_url,
    text,
    token,
    tokens,
    webhook_url,
    whole,
)

# -- the settings, in the order of the README's table and .env.example ------------------------

BOT_TOKEN = Setting("BOT_TOKEN", "", token, "the token from @BotFather", shown="— (required)")
BOT_TOKEN_FILE = Setting(
    "BOT_TOKEN_FILE",
    "",  # systemd's credential bot-token when set, see _secret
    optional_path,
    "a file that holds the token, so it need not sit in the environment (`BOT_TOKEN` or this, "
    "not both)",
    shown="none (`$CREDENTIALS_DIRECTORY/bot-token` under systemd)",
)
BOT_TOKENS = Setting(
    "BOT_TOKENS",
    "",
    tokens,
    'several official bots over one database (README, "Reserve bots"): their tokens, '
    "comma-separated, instead of `BOT_TOKEN`; the first is the primary unless the database "
    "says otherwise",
    shown="empty",
)
BOT_TOKENS_FILE = Setting(
    "BOT_TOKENS_FILE",
    "",  # systemd's credential bot-tokens when set, see _secret
    optional_path,
    "a file that holds them, one a line (`BOT_TOKENS` or this, not both)",
    shown="none (`$CREDENTIALS_DIRECTORY/bot-tokens` under systemd)",
)
ADMIN_IDS = Setting(
    "ADMIN_IDS",
    "",
    ids,
    "comma-separated Telegram user ids of the organisers with every power",
    shown="empty",
)
MODERATOR_IDS = Setting(
    "MODERATOR_IDS",
    "",
    ids,
    "comma-separated Telegram user ids of moderators: stats, remove, block and sources, but no "
    "exports of names, backups, broadcasts, goals or reload",
    shown="empty",
)
TRANSLATOR_IDS = Setting(
    "TRANSLATOR_IDS",
    "",
    ids,
    "comma-separated Telegram user ids of translators: they send a campaign's language text, "
    "which an admin approves or refuses; nothing else",
    shown="empty",
)
PREVIEWS_PER_HOUR = Setting(
    "PREVIEWS_PER_HOUR",
    "60",
    whole(1, 100_000),
    "per organiser and hour: signatures shown by `/remove` and `/block`, and removals, blocks "
    "and hides; one more is refused and every admin is told",
)
DESTRUCTIVE_PER_HOUR = Setting(
    "DESTRUCTIVE_PER_HOUR", "30", whole(1, 100_000), ""
)  # PREVIEWS_PER_HOUR's row
SMALL_COUNT = Setting(
    "SMALL_COUNT",
    "10",
    whole(1, 1_000),
    "every count organisers see or export (`/stats`, `/source`, the chart, the funnel): a source "
    'or language with fewer goes into one "other" row, shown as "<10" when it is itself '
    "under it",
)
FOUR_EYES = Setting(
    "FOUR_EYES",
    "on",
    choice("on", "off"),
    "with two or more `ADMIN_IDS`: exports with names, `/backup`, broadcasts, `/purge` and "
    "`/unhide` of a name an admin hid wait for a second admin; `off` (warned at every start) "
    "lets one admin do them alone",
)
APPROVAL_MINUTES = Setting(
    "APPROVAL_MINUTES",
    "30",
    whole(1, 60),
    "how long a request waits for the second admin before it expires (at most 60, the life "
    "of a broadcast draft)",
)
BROADCAST_LINKS = Setting(
    "BROADCAST_LINKS",
    "second-admin",
    choice("second-admin", "allow"),
    "a broadcast with a link (a URL, `t.me/…`, `@username`, a text link) needs a second "
    "admin's approval, and is refused where four eyes are not in force; `allow` lets a "
    "single admin send links",
)
BACKUP_RECIPIENTS = Setting(
    "BACKUP_RECIPIENTS",
    "",
    recipients,
    "age public keys (`age1…`); when set, backups and exports with names are encrypted to them "
    '(see "Encrypted backups and exports")',
    shown="empty",
)
DATABASE_PATH = Setting("DATABASE_PATH", "data/bot.sqlite3", path, "the SQLite database")
DATABASE_URL = Setting(
    "DATABASE_URL",
    "",
    database_url,
    '`postgresql://…`: PostgreSQL instead of SQLite (see "PostgreSQL"); `sslmode=verify-full` '
    "is required for a host beyond this machine",
    shown="empty (SQLite)",
)
DATABASE_URL_FILE = Setting(
    "DATABASE_URL_FILE",
    "",  # systemd's credential database-url when set, see _secret
    optional_path,
    "a file that holds `DATABASE_URL` (it carries the database password)",
    shown="none (`$CREDENTIALS_DIRECTORY/database-url` under systemd)",
)
DATABASE_POOLER = Setting(
    "DATABASE_POOLER",
    "none",
    choice("none", "transaction"),
    "`transaction` behind a transaction-mode pooler such as PgBouncer: no server-side prepared "
    'statements (see "PostgreSQL")',
)
DATABASE_POOL_SIZE = Setting(
    "DATABASE_POOL_SIZE", "5", whole(1, 100), "connections each worker keeps to PostgreSQL"
)
CAMPAIGNS_DIR = Setting("CAMPAIGNS_DIR", "campaigns", path, "campaign content folders")
DEFAULT_LANGUAGE = Setting(
    "DEFAULT_LANGUAGE",
    "en",
    language,
    "language for users whose Telegram language is not supported "
    f"(`{' '.join(SUPPORTED_LANGUAGES)}`)",
)
LOG_LEVEL = Setting(
    "LOG_LEVEL", "INFO", log_level, "our own log level; libraries are capped at WARNING"
)
SIGNER_KEY = Setting(
    "SIGNER_KEY",
    "",
    signer_key,
    "HMAC key for signer pseudonyms: 64 hex digits (a key of ≥ 32 characters made by an older "
    "version keeps working)",
    shown="key file",
)
SIGNER_KEY_FILE = Setting(
    "SIGNER_KEY_FILE",
    "",  # worked out by _key_file: the credentials or configuration folder
    optional_path,
    "where the key is kept, created with mode 0600 on a first start when `SIGNER_KEY` is empty; "
    "a `data/signer.key` made by an older version keeps working, with a warning",
    shown="`~/.config/petition-bot/signer.key` (`$CREDENTIALS_DIRECTORY/signer.key` under systemd)",
)
BOT_API_BASE_URL = Setting(
    "BOT_API_BASE_URL",
    "https://api.telegram.org/bot",
    base_url,
    "Bot API server; the token is appended (use a local Bot API server here)",
)
WEBHOOK_URL = Setting(
    "WEBHOOK_URL", "", webhook_url, "use a webhook instead of polling", shown="empty"
)
WEBHOOK_SECRET = Setting(
    "WEBHOOK_SECRET",
    "",
    optional_text,
    "required with `WEBHOOK_URL`; Telegram's secret token header",
    shown="—",
)
WEBHOOK_SECRET_FILE = Setting(
    "WEBHOOK_SECRET_FILE",
    "",  # systemd's credential webhook-secret when set, see _secret
    optional_path,
    "a file that holds the webhook secret (`WEBHOOK_SECRET` or this, not both)",
    shown="none (`$CREDENTIALS_DIRECTORY/webhook-secret` under systemd)",
)
WEBHOOK_LISTEN = Setting(
    "WEBHOOK_LISTEN",
    "127.0.0.1",
    text,
    "where the webhook server listens (behind your TLS proxy)",
)
WEBHOOK_PORT = Setting("WEBHOOK_PORT", "8443", whole(1, 65535), "")  # WEBHOOK_LISTEN's row
ANNOUNCE_CHAT_ID = Setting(
    "ANNOUNCE_CHAT_ID", "", chat_id, "a chat where reached goals are announced", shown="empty"
)
RETENTION_DAYS = Setting(
    "RETENTION_DAYS",
    "0",
    days_or_off,
    "erase names this many days after a campaign closes",
    shown="off",
)
PREFERENCES_DAYS = Setting(
    "PREFERENCES_DAYS",
    "90",
    whole(1, 90),
    "a signer's language and clean-up choice are erased after this many days untouched"
    " (sooner when `RETENTION_DAYS` is shorter; a visitor's go with their draft)",
)
BROADCAST_RATE = Setting("BROADCAST_RATE", "25", rate, "broadcast messages per second")
BROADCAST_WAIT_MINUTES = Setting(
    "BROADCAST_WAIT_MINUTES",
    "60",
    whole(1, 10080),
    "how long a broadcast's deliveries wait for their subscriber's bot while it is down; "
    "then they count as failed and the admin is told",
)
DRAFT_TTL_HOURS = Setting(
    "DRAFT_TTL_HOURS", "24", whole(1, 720), "unfinished signatures are erased after this"
)
METRICS_LISTEN = Setting(
    "METRICS_LISTEN",
    "",
    listen,
    "`PORT` or `HOST:PORT` for `/healthz` and `/metrics` (loopback unless you name a host)",
    shown="off",
)
BACKUP_DIR = Setting(
    "BACKUP_DIR",
    "",
    optional_path,
    'scheduled backups go here (see "Scheduled backups and restore")',
    shown="off",
)
BACKUP_EVERY_HOURS = Setting(
    "BACKUP_EVERY_HOURS",
    "24",
    whole(1, 24 * 7),
    "how often, and how many are kept (keep it short: withdrawn names live on in older backups)",
)
BACKUP_KEEP = Setting("BACKUP_KEEP", "7", whole(1, 90), "")  # BACKUP_EVERY_HOURS's row
PUBLISH_DIR = Setting(
    "PUBLISH_DIR",
    "",
    optional_path,
    'the bot publishes the public site here (see "Public page")',
    shown="off",
)
PUBLISH_EVERY_MINUTES = Setting(
    "PUBLISH_EVERY_MINUTES",
    "5",
    whole(1, 24 * 60),
    "how often; `/healthz` fails when the last success is older than twice this",
)
PUBLISH_COMMAND = Setting(
    "PUBLISH_COMMAND",
    "",
    optional_text,
    "run after each publication, e.g. an `rsync` to the static host (a minimal environment "
    "with `PUBLISH_DIR`, no secret of the bot)",
    shown="none",
)
PUBLISH_TIMEOUT_SECONDS = Setting(
    "PUBLISH_TIMEOUT_SECONDS", "120", whole(1, 3600), ""
)  # PUBLISH_COMMAND's row
PUBLISH_URL = Setting(
    "PUBLISH_URL",
    "",
    site_url,
    "where the site is served, for the embed snippets it shows",
    shown="none",
)
LOG_FORMAT = Setting("LOG_FORMAT", "text", log_format, "`json`: one JSON object per line")


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
    BOT_TOKENS,
    BOT_TOKENS_FILE,
    ADMIN_IDS,
    MODERATOR_IDS,
    TRANSLATOR_IDS,
    PREVIEWS_PER_HOUR,
    DESTRUCTIVE_PER_HOUR,
    SMALL_COUNT,
    FOUR_EYES,
    APPROVAL_MINUTES,
    BROADCAST_LINKS,
    BACKUP_RECIPIENTS,
    DATABASE_PATH,
    DATABASE_URL,
    DATABASE_URL_FILE,
    DATABASE_POOLER,
    DATABASE_POOL_SIZE,
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
    BROADCAST_WAIT_MINUTES,
    DRAFT_TTL_HOURS,
    METRICS_LISTEN,
    BACKUP_DIR,
    BACKUP_EVERY_HOURS,
    BACKUP_KEEP,
    PUBLISH_DIR,
    PUBLISH_EVERY_MINUTES,
    PUBLISH_COMMAND,
    PUBLISH_TIMEOUT_SECONDS,
    PUBLISH_URL,
    LOG_FORMAT,
    PSEUDONYM_COST,
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
