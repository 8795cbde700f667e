"""Prometheus metrics of one running bot, in a registry of its own (no process-wide state).

Labels are chosen from closed sets: update types, Bot API method names, HTTP status codes,
campaign slugs, a few fixed words, and the standard collectors' own (the interpreter's version,
the garbage collector's generation). None can carry a user id, a name or a chat id, because
no label value is ever taken from what a user sent: method names and slugs are checked
against their patterns and anything else becomes "other".
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from telegram import Update

from bot.core import status
from bot.domain.campaigns import SLUG_RE

if TYPE_CHECKING:
    from bot.core.services import Services
    from bot.telegram.links import BotLink

_METHOD = re.compile(r"[A-Za-z]{1,64}")
# Update kinds in the order PTB documents them; the first one set names the update.
_KINDS = tuple(Update.ALL_TYPES)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def update_kind(update: object) -> str:
    """`message`, `callback_query`, …: the field of the update that is set."""
    if not isinstance(update, Update):
        return "other"
    for kind in _KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def method_label(url: str) -> str:
    """The Bot API method of a request URL; a file download is `file`, nothing else passes."""
    path = url.split("://", 1)[-1].split("?", 1)[0]
    if "/file/bot" in path:
        return "file"
    name = path.rsplit("/", 1)[-1]
    return name if _METHOD.fullmatch(name) else "other"


def campaign_label(slug: object) -> str:
    return slug if isinstance(slug, str) and SLUG_RE.match(slug) else "other"


class Metrics:
    """Every metric the bot exports, plus the facts /healthz needs (last Bot API success)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        # What the default registry would show and every Prometheus operator expects: resident
        # memory, CPU seconds, open files (process_*), the interpreter and its garbage
        # collector (python_*). Read from /proc and the interpreter; nothing personal.
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.updates = Counter("petition_updates", "Updates handled, by type", ["type"], registry=r)
        self.update_seconds = Histogram(
            "petition_update_seconds",
            "Time to handle one update (handlers and their Bot API calls), by type",
            ["type"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.api_calls = Counter(
            "petition_telegram_calls", "Bot API calls answered, by method", ["method"], registry=r
        )
        self.api_errors = Counter(
            "petition_telegram_errors",
            "Bot API calls that failed, by method and HTTP code (or timeout/network)",
            ["method", "code"],
            registry=r,
        )
        self.flood_waits = Counter(
            "petition_telegram_flood_waits", "429 answers (retry_after asked)", registry=r
        )
        self.flood_wait_seconds = Counter(
            "petition_telegram_flood_wait_seconds", "Seconds Telegram asked us to wait", registry=r
        )
        self.retries = Counter(
            "petition_telegram_retries",
            "Bot API calls repeated after a network failure, by method and reason",
            ["method", "reason"],
            registry=r,
        )
        self.retry_wait_seconds = Counter(
            "petition_telegram_retry_wait_seconds", "Seconds spent backing off", registry=r
        )
        self.api_last_success = Gauge(
            "petition_telegram_last_success_timestamp_seconds",
            "When a Bot API call last succeeded (unix time)",
            registry=r,
        )
        self.bot_serving = Gauge(
            "petition_bot_serving",
            "1 while the bot (by its Telegram id) serves, 0 while it fails (reserve bots)",
            ["bot"],
            registry=r,
        )
        self.signatures = Gauge(
            "petition_signatures", "Signatures held, by campaign", ["campaign"], registry=r
        )
        self.withdrawals = Gauge(
            "petition_withdrawals",
            "Signatures withdrawn or removed since the campaign began, by campaign",
            ["campaign"],
            registry=r,
        )
        self.broadcasts_sending = Gauge(
            "petition_broadcasts_sending", "Broadcasts being sent", registry=r
        )
        self.broadcast_deliveries = Gauge(
            "petition_broadcast_deliveries",
            "Deliveries of the broadcasts being sent, by state",
            ["state"],
            registry=r,
        )
        self.database_bytes = Gauge(
            "petition_database_bytes", "Size of the database file and its WAL", registry=r
        )
        self.unlock_refusals = Counter(
            "petition_unlock_refusals",
            "Wrong passphrases given to `petition-bot unlock` since the process started",
            registry=r,
        )
        self.backups = Counter(
            "petition_backups", "Scheduled backups, by result", ["result"], registry=r
        )
        self.backup_last_success = Gauge(
            "petition_backup_last_success_timestamp_seconds",
            "When the last scheduled backup succeeded (unix time; 0 = never)",
            registry=r,
        )
        self.backup_age = Gauge(
            "petition_backup_age_seconds",
            "Age of the newest scheduled backup (-1 = none or backups off)",
            registry=r,
        )
        self.publications = Counter(
            "petition_publications",
            "Runs of the public site's publication, by result",
            ["result"],
            registry=r,
        )
        self.publish_last_success = Gauge(
            "petition_publish_last_success_timestamp_seconds",
            "When the public site was last published in full (unix time; 0 = never)",
            registry=r,
        )
        self.last_backup: float | None = None  # unix time of the newest backup made or found
        # The children of the metrics counted on every update and call, by label (few: update
        # kinds, Bot API methods): prometheus_client's lookup cost more than the count.
        self._per_kind: dict[str, tuple[Counter, Histogram]] = {}
        self._calls: dict[str, Counter] = {}
        # Unix time of the last full publication; until one, when publishing was scheduled.
        self.last_publish: float | None = None
        self.publish_since: float | None = None

    # -- recorded as things happen --------------------------------------------------------

    def observe_update(self, update: object, seconds: float) -> None:
        kind = update_kind(update)
        counted = self._per_kind.get(kind)
        if counted is None:
            counted = self._per_kind[kind] = (
                self.updates.labels(kind),
                self.update_seconds.labels(kind),
            )
        counted[0].inc()
        counted[1].observe(seconds)

    def api_answered(self, method: str, status: int, retry_after: float | None) -> None:
        calls = self._calls.get(method)
        if calls is None:
            calls = self._calls[method] = self.api_calls.labels(method)
        calls.inc()
        if status == 200:
            self.api_last_success.set(time.time())
            return
        self.api_errors.labels(method, str(status)).inc()
        if status == 429:
            self.flood_waits.inc()
            if retry_after:
                self.flood_wait_seconds.inc(retry_after)

    def bot_standing(self, link: BotLink, serving: bool) -> None:
        """A bot's gauge, labelled by its public id: never its token or username."""
        self.bot_serving.labels(str(link.id)).set(1 if serving else 0)

    def api_failed(self, method: str, code: str) -> None:
        self.api_errors.labels(method, code).inc()

    def api_retry(self, method: str, reason: str, wait: float) -> None:
        self.retries.labels(method, reason).inc()
        self.retry_wait_seconds.inc(wait)

    def backup_done(self, ok: bool, at: float | None = None) -> None:
        self.backups.labels("ok" if ok else "failed").inc()
        if ok and at is not None:
            self.backup_found(at)

    def published(self, ok: bool, at: float) -> None:
        """One run of the publication: the site written, and PUBLISH_COMMAND done if set."""
        self.publications.labels("ok" if ok else "failed").inc()
        if ok:
            self.last_publish = at
            self.publish_last_success.set(at)

    def backup_found(self, at: float) -> None:
        self.last_backup = at
        self.backup_last_success.set(at)

    # -- read when scraped ----------------------------------------------------------------

    async def refresh(self, svc: Services) -> None:
        """Gauges that mirror the database, read once per scrape (a few indexed reads)."""
        figures = await status.gauges(svc)
        self.signatures.clear()
        self.withdrawals.clear()
        for campaign, signed, withdrawn in figures.counters:
            label = campaign_label(campaign)
            self.signatures.labels(label).set(signed)
            self.withdrawals.labels(label).set(withdrawn)
        self.broadcasts_sending.set(figures.broadcasts_sending)
        for state, count in figures.deliveries.items():
            self.broadcast_deliveries.labels(state.value).set(count)
        self.database_bytes.set(database_bytes(svc.settings.database_path))
        if self.last_backup is None:
            self.backup_age.set(-1)
        else:
            self.backup_age.set(max(0.0, svc.clock() - self.last_backup))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def database_bytes(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += Path(f"{path}{suffix}").stat().st_size
    return total
