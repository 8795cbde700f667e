"""The opt-in operations endpoint (METRICS_LISTEN): /healthz and /metrics, on the bot's loop.

It runs on the bot's own event loop (asyncio.start_server, no thread), so /metrics reads the
database through the bot's connection and /healthz proves that the loop itself answers. It is
off unless METRICS_LISTEN is set and binds loopback unless told otherwise; it serves counts
and states, never anything about a person, and accepts nothing but GET.

/healthz is healthy when the database answers, the primary or an active bot serves (a Bot
API call of its succeeded in the last ten minutes: an idle bot calls Telegram every four, so in
webhook mode, where no getUpdates runs, this still means something), no broadcast is stuck
(sending, with no delivery recorded for ten minutes, unless its deliveries left all wait for
a bot that is down and BROADCAST_WAIT_MINUTES have not run out) and, with scheduled backups on, the
newest is not overdue. A bot that fails while another serves is named under "bots" and does
not fail the check (reserve bots: one bot's failure is that bot's alone). While the bot waits
for `petition-bot unlock` (bot/telegram/locked.py), /healthz says "locked" and fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST
from telegram.error import TelegramError

from bot.config import BACKUP_JOB_EVERY
from bot.core import broadcasts, status
from bot.domain.bots import Role
from bot.telegram import webhooks
from bot.telegram.metrics import Metrics

if TYPE_CHECKING:
    from bot.core.services import Services
    from bot.telegram.context import BotContext
    from bot.telegram.fleet import Fleet

log = logging.getLogger(__name__)

KEEPALIVE_AFTER = 240.0  # an idle bot calls getMe once no call succeeded for this long
BROADCAST_STUCK_AFTER = 600.0
_READ_TIMEOUT = 5.0
_TEXT = "text/plain; charset=utf-8"


class Health:
    """Decides /healthz; remembers when each sending broadcast last made progress."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._progress: dict[int, tuple[int, float]] = {}  # broadcast -> (done, since)

    async def check(self, fleet: Fleet) -> tuple[bool, dict[str, str]]:
        svc, metrics = fleet.services, fleet.metrics
        now = self.clock()
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(status.ping(svc), _READ_TIMEOUT)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"failing: {exc.__class__.__name__}"
        checks["telegram"], failing = _telegram(fleet, now)
        serving = {link.id for link in fleet.links if link.serving(now)}
        checks["broadcasts"] = await self._broadcasts(svc, now, serving)
        checks["backups"] = self._backups(svc, metrics)
        checks["publishing"] = self._publishing(svc, metrics)
        healthy = all(v == "ok" or v == "off" for v in checks.values())
        if failing:  # named, but healthy while another official bot serves
            checks["bots"] = failing
        return healthy, checks

    async def _broadcasts(self, svc: Services, now: float, serving: set[int]) -> str:
        try:
            current = await broadcasts.sending_progress(svc)
            stuck = []
            for broadcast_id, done in current.items():
                seen = self._progress.get(broadcast_id)
                if seen is None or seen[0] != done:
                    self._progress[broadcast_id] = (done, now)
                elif now - seen[1] > BROADCAST_STUCK_AFTER and not await _waits_for_a_bot(
                    svc, broadcast_id, serving, now - seen[1]
                ):
                    stuck.append(broadcast_id)
        except Exception as exc:
            return f"failing: {exc.__class__.__name__}"
        for gone in set(self._progress) - set(current):
            del self._progress[gone]
        if stuck:
            ids = ", ".join(str(b) for b in sorted(stuck))
            return f"failing: broadcast {ids} made no progress for {BROADCAST_STUCK_AFTER:.0f} s"
        return "ok"

    @staticmethod
    def _backups(svc: Services, metrics: Metrics) -> str:
        settings = svc.settings
        if settings.backup_dir is None:
            return "off"
        allowed = 2 * settings.backup_every_hours * 3600 + BACKUP_JOB_EVERY
        if metrics.last_backup is None:
            return "failing: no scheduled backup yet"
        age = svc.clock() - metrics.last_backup
        if age > allowed:
            return f"failing: the newest backup is {age / 3600:.1f} hours old"
        return "ok"

    @staticmethod
    def _publishing(svc: Services, metrics: Metrics) -> str:
        """Like backups: failing once the last full publication (the site written and
        PUBLISH_COMMAND done) is older than twice PUBLISH_EVERY_MINUTES."""
        settings = svc.settings
        if settings.publish_dir is None:
            return "off"
        allowed = 2 * settings.publish_every_minutes * 60
        last = metrics.last_publish
        if last is None:
            started = metrics.publish_since
            if started is not None and svc.clock() - started <= allowed:
                return "ok"
            return "failing: the site has not been published yet"
        age = svc.clock() - last
        if age > allowed:
            return f"failing: the site was last published {age / 60:.0f} minutes ago"
        return "ok"


async def _waits_for_a_bot(
    svc: Services, broadcast_id: int, serving: set[int], idle: float
) -> bool:
    """Whether a broadcast without progress is rightly waiting: only deliveries through bots
    that do not serve are left, and the runner's BROADCAST_WAIT_MINUTES for them (after which
    they count as failed) have not run out (bot.telegram.broadcast)."""
    if idle > svc.settings.broadcast_wait_minutes * 60 + BROADCAST_STUCK_AFTER:
        return False
    waiting = await broadcasts.waiting(svc, broadcast_id)
    return bool(waiting) and not set(waiting) & serving


def _telegram(fleet: Fleet, now: float) -> tuple[str, str]:
    """("ok" while the primary or an active bot serves, else why not; the failing bots)."""
    links = fleet.links
    failing = [f"{link.name}: {link.failure(now)}" for link in links if not link.serving(now)]
    failing += [f"{link.name}: {link.conflict(now)}" for link in links if link.conflict(now)]
    for link in links:
        fleet.metrics.bot_standing(link, link.serving(now))
    roles = {bot.id: bot.role for bot in fleet.services.bots}
    if any(link.serving(now) and roles.get(link.id) is not Role.DORMANT for link in links):
        return "ok", "; ".join(failing)
    if len(links) == 1:
        return f"failing: {links[0].failure(now)}", ""
    return "failing: neither the primary nor an active bot serves", "; ".join(failing)


class EndpointServer:
    """A minimal HTTP/1.1 server for /healthz and /metrics (one request per connection)."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, host, port)
        log.info("health and metrics on http://%s:%d/ (/healthz, /metrics)", host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
            while (header := await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)) not in (
                b"\r\n",
                b"\n",
                b"",
            ):
                del header
            status, ctype, body = await self._answer(line.decode("latin-1").split())
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, ValueError, UnicodeError):
            pass
        except Exception:
            log.exception("the health endpoint failed to answer")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, request: list[str]) -> tuple[str, str, bytes]:
        if len(request) < 2:
            return "400 Bad Request", _TEXT, b"bad request\n"
        method, path = request[0], request[1].split("?", 1)[0]
        if method != "GET":
            return "405 Method Not Allowed", _TEXT, b"only GET\n"
        if path == "/metrics":
            return "200 OK", CONTENT_TYPE_LATEST, await self._metrics()
        if path == "/healthz":
            healthy, checks = await self._health()
            body = json.dumps({"healthy": healthy, "checks": checks}).encode() + b"\n"
            status = "200 OK" if healthy else "503 Service Unavailable"
            return status, "application/json", body
        return "404 Not Found", _TEXT, b"not found: try /healthz or /metrics\n"

    async def _metrics(self) -> bytes:
        raise NotImplementedError

    async def _health(self) -> tuple[bool, dict[str, str]]:
        raise NotImplementedError


class OpsServer(EndpointServer):
    """The running process's endpoint, for all its bots."""

    def __init__(self, fleet: Fleet, health: Health) -> None:
        super().__init__()
        self.fleet = fleet
        self.health = health

    async def _metrics(self) -> bytes:
        now = self.health.clock()
        for link in self.fleet.links:
            self.fleet.metrics.bot_standing(link, link.serving(now))
        await self.fleet.metrics.refresh(self.fleet.services)
        return self.fleet.metrics.exposition()

    async def _health(self) -> tuple[bool, dict[str, str]]:
        return await self.health.check(self.fleet)


class LockedServer(EndpointServer):
    """The endpoint of a bot waiting for `petition-bot unlock`: unhealthy, saying why."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__()
        self.metrics = metrics

    async def _metrics(self) -> bytes:
        return self.metrics.exposition()

    async def _health(self) -> tuple[bool, dict[str, str]]:
        return False, {"keys": "locked: waiting for petition-bot unlock on this server"}


async def keep_alive(context: BotContext) -> None:
    """A call when nothing else reached this bot's Telegram lately, so /healthz stays
    meaningful (and a token revoked while the bot was idle is found): getMe, or, in webhook
    mode, getWebhookInfo, which also finds a webhook someone else set with the token (the bot
    would then hear nothing)."""
    runtime = context.runtime
    last = runtime.link.last_success
    if last is not None and time.monotonic() - last < KEEPALIVE_AFTER:
        return
    webhook_url = runtime.services.settings.webhook_url
    try:
        if webhook_url is None:
            await context.bot.get_me()
            return
        info = await context.bot.get_webhook_info()
    except TelegramError as exc:
        log.warning("Telegram did not answer a keep-alive call: %s", exc.__class__.__name__)
        return
    several = len(runtime.fleet.apps) > 1
    if info.url != webhooks.url_for(webhook_url, context.bot.id, several):
        runtime.link.taken("its webhook now points elsewhere")


async def open_endpoint(fleet: Fleet) -> None:
    """Once per process: opens /healthz and /metrics when METRICS_LISTEN asks for them."""
    listen = fleet.services.settings.metrics_listen
    if listen is None or fleet.ops_server is not None:
        return
    server = OpsServer(fleet, Health())
    await server.start(*listen)
    fleet.ops_server = server


async def close_endpoint(fleet: Fleet) -> None:
    """Before the database closes."""
    if fleet.ops_server is not None:
        await fleet.ops_server.stop()
        fleet.ops_server = None
