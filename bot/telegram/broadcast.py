"""The broadcast runner: stored broadcasts sent at a steady rate, resumable after a restart.

Each recipient is a `deliveries` row created when the broadcast was confirmed. A row is marked
sent right after its sendMessage succeeds, so a restart resumes with the rows still pending and
nobody is messaged twice. Sending and marking run shielded from cancellation, so a stop or a
cancelled runner always records what Telegram accepted. (The one window left: the process being
killed outright between Telegram accepting a message and the mark — at most the one message in
flight.) A send is repeated only when the client says it never left (bot.telegram.client's
`NeverSent`: connection refused, DNS, connect or pool timeout). Anything else — a read timeout,
a connection dropped mid-answer, an error the client cannot place — may have reached the
person: the delivery is done, counted as failed (uncertain), and never sent again; better one
person misses an update than gets it twice. What it reads and records goes through
bot.core.broadcasts, which opens each recipient's sealed chat id; when the broadcast ends its
delivery rows are erased (bot.core.erasure); the counts stay on the broadcast.

With reserve bots, each delivery goes through the bot its subscriber subscribed with: no other
bot may write to them (a bot cannot message someone who never opened it). One runner serves
the whole process. Deliveries through a bot that is down wait, after every other delivery
went, for BROADCAST_WAIT_MINUTES from the moment the runner found them waiting; then they
count as failed and the admin's progress message says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.core import broadcasts, leases
from bot.domain.broadcasts import Broadcast, BroadcastStatus, Recipient
from bot.domain.campaigns import Campaign
from bot.i18n import Translator
from bot.telegram.client import may_send_again
from bot.telegram.views import broadcast as views
from bot.telegram.views.common import View, esc

if TYPE_CHECKING:
    from bot.telegram.fleet import Fleet

log = logging.getLogger(__name__)
# A broadcast's lease outlives a batch of pending rows at the slowest rate; a worker that
# died leaves it to another within this, plus the resume job's period.
LEASE_SECONDS = 120
RESUME_EVERY = 60

AnyApp = Application[Any, Any, Any, Any, Any, Any]
WAIT_CHECK = 30.0  # seconds between looks at a bot its deliveries wait for

PROGRESS_EVERY = 3.0  # seconds between edits of the admin's progress message
_NETWORK_RETRIES = 3


class Pacer:
    """At most `rate` sends a second, evenly spaced, shared by every running broadcast."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / max(rate, 0.1)
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._clock, self._sleep = clock, sleep  # replaceable, so tests need no wall clock

    async def wait(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._next > now:
                await self._sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


class Broadcaster:
    """One task per sending broadcast; one runner per process (Fleet.broadcaster)."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.svc = fleet.services
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._stop = asyncio.Event()
        self._pacer: Pacer | None = None
        # (broadcast, bot) -> when the runner found deliveries waiting for that bot (svc time)
        self._waiting_since: dict[tuple[int, int], int] = {}
        # How the runner waits WAIT_CHECK seconds for a bot that is down (ends early at a
        # stop); a test replaces it with one that moves its clock instead of sleeping.
        self.pause: Callable[[float], Awaitable[None]] = self._pause_unless_stopped

    def start(self, broadcast_id: int) -> None:
        """Starts sending (idempotent: a broadcast already running is left alone)."""
        if broadcast_id in self._tasks or self._stopping:
            return
        task = asyncio.create_task(self._run(broadcast_id), name=f"broadcast-{broadcast_id}")
        self._tasks[broadcast_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(broadcast_id, None))

    async def resume(self) -> list[int]:
        """Restarts every broadcast left sending by a previous run, or by a worker that
        stopped renewing its lease (called at start and every RESUME_EVERY seconds)."""
        unfinished = await broadcasts.unfinished(self.svc)
        for broadcast_id in unfinished:
            log.info("resuming broadcast %d", broadcast_id)
            self.start(broadcast_id)
        return unfinished

    def request_stop(self) -> None:
        """Each runner stops before its next message; pending rows wait for the next start."""
        self._stopping = True
        self._stop.set()

    async def stop(self, grace: float = 10.0) -> None:
        self.request_stop()
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        await asyncio.gather(*self._inflight, return_exceptions=True)

    async def join(self) -> None:
        """Waits until no broadcast is running (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def _pace(self) -> Pacer:
        if self._pacer is None:
            self._pacer = Pacer(self.svc.settings.broadcast_rate)
        return self._pacer

    async def _run(self, broadcast_id: int) -> None:
        try:
            await self._send_all(broadcast_id)
        except asyncio.CancelledError:
            log.warning("broadcast %d interrupted; it resumes at the next start", broadcast_id)
            raise
        except Exception:
            log.exception("broadcast %d stopped; it resumes at the next start", broadcast_id)

    async def _send_all(self, broadcast_id: int) -> None:
        svc = self.svc
        broadcast = await broadcasts.progress(svc, broadcast_id)
        if broadcast is None or broadcast.status is not BroadcastStatus.SENDING:
            return
        texts = await broadcasts.texts(svc, broadcast_id)
        campaign = svc.campaign(broadcast.campaign)
        messages: dict[str | None, View] = {}  # recipient's language -> what they get
        progress = _Progress(self, broadcast)
        while not self._stopping:
            # One worker sends it: the lease's holder, renewed before each batch; another
            # worker takes over (resume_job) only once the holder stopped renewing.
            if not await leases.take(svc, f"broadcast:{broadcast_id}", LEASE_SECONDS):
                return
            serving = [app.runtime.link.id for app in self.fleet.serving()]
            batch = await broadcasts.pending(svc, broadcast_id, serving)
            if not batch:
                if await self._wait_for_bots(broadcast_id, progress):
                    continue
                break
            for recipient in batch:
                if self._stopping:
                    return
                app = self.fleet.app_of(recipient.bot)
                if app is None:  # its bot went down meanwhile: it waits with the others
                    continue
                message = messages.get(recipient.language)
                if message is None:  # built once per language, not per recipient
                    html = texts.get(recipient.language or "", broadcast.html)
                    language = recipient.language or (
                        campaign.default_language if campaign else svc.settings.default_language
                    )
                    t = svc.i18n.get(language)
                    message = views.delivery(t, campaign, broadcast.campaign, html)
                    messages[recipient.language] = message
                await self._pace().wait()
                one = asyncio.ensure_future(
                    self._deliver_and_mark(app, broadcast_id, recipient, message)
                )
                self._inflight.add(one)
                one.add_done_callback(self._inflight.discard)
                await asyncio.shield(one)  # a cancel here still lets the mark be written
                await progress.tick()
        if self._stopping:
            return
        done = await broadcasts.finish(svc, broadcast_id)
        if done is not None:
            log.info("broadcast %d done: %d sent, %d failed", done.id, done.sent, done.failed)
            await progress.finish(done.sent, done.failed)

    async def _wait_for_bots(self, broadcast_id: int, progress: _Progress) -> bool:
        """Only deliveries through bots that are down are left: False when none are. Those
        of a bot down longer than BROADCAST_WAIT_MINUTES count as failed; else a pause."""
        svc = self.svc
        waiting = await broadcasts.waiting(svc, broadcast_id)
        if not waiting:
            return False
        now, limit = svc.now(), svc.settings.broadcast_wait_minutes * 60
        for bot in waiting:
            since = self._waiting_since.setdefault((broadcast_id, bot), now)
            if now - since >= limit:
                failed = await broadcasts.give_up(svc, broadcast_id, bot)
                progress.gave_up += failed
                log.warning(
                    "broadcast %d: %d deliveries through bot %d failed: it was down for %d minutes",
                    broadcast_id,
                    failed,
                    bot,
                    svc.settings.broadcast_wait_minutes,
                )
        if not await broadcasts.waiting(svc, broadcast_id):
            return False
        await self.pause(WAIT_CHECK)
        return True

    async def _pause_unless_stopped(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _deliver_and_mark(
        self, app: AnyApp, broadcast_id: int, recipient: Recipient, message: View
    ) -> None:
        sent, blocked = await self._deliver(app, recipient.chat_id, message)
        await broadcasts.record(self.svc, broadcast_id, recipient, sent, blocked)

    async def _deliver(self, app: AnyApp, chat_id: int, message: View) -> tuple[bool, bool]:
        """(sent, blocked). Never raises for Telegram's answers about one chat."""
        network_failures = 0
        while True:
            try:
                await app.bot.send_message(
                    chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=message.markup
                )
                return True, False
            except Forbidden:  # blocked the bot or deactivated: stop writing to them
                return False, True
            except RetryAfter as exc:  # what the rate limiter's own retries did not absorb
                await asyncio.sleep(_seconds(exc.retry_after))
            except BadRequest:  # chat not found, user deactivated, ...
                return False, False
            except TelegramError as exc:
                # News is not harmless twice: sent again only when it provably never left.
                if not may_send_again(exc, harmless=False):
                    log.info(
                        "a broadcast delivery is uncertain (%s); not repeated", type(exc).__name__
                    )
                    return False, False
                network_failures += 1
                if network_failures > _NETWORK_RETRIES:
                    return False, False
                await asyncio.sleep(2.0 * network_failures)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Progress:
    """Edits the admin's progress message every few seconds, and once at the end."""

    def __init__(self, owner: Broadcaster, broadcast: Broadcast) -> None:
        self.owner = owner
        self.broadcast = broadcast
        self._last = time.monotonic()
        self.gave_up = 0  # deliveries failed because their bot was down too long

    async def _translator(self) -> Translator:
        svc = self.owner.svc
        language = await svc.language_of(svc.person(self.broadcast.admin_id), None)
        return svc.i18n.get(language)

    async def tick(self) -> None:
        if self.broadcast.progress_message is None:
            return
        if time.monotonic() - self._last < PROGRESS_EVERY:
            return
        self._last = time.monotonic()
        current = await broadcasts.progress(self.owner.svc, self.broadcast.id)
        if current is None:
            return
        t = await self._translator()
        text = t._("Sending the broadcast… {sent} sent, {failed} failed so far.")
        await self._edit(
            esc(text).format(sent=t.number(current.sent), failed=t.number(current.failed))
        )

    async def finish(self, sent: int, failed: int) -> None:
        if self.broadcast.progress_message is None:
            return
        t = await self._translator()
        text = t._("The broadcast is finished: {sent} sent, {failed} failed.")
        html = esc(text).format(sent=t.number(sent), failed=t.number(failed))
        if self.gave_up:
            down = t.ngettext(
                "{count} subscriber was not reached: the bot they subscribed with was down "
                "for longer than BROADCAST_WAIT_MINUTES.",
                "{count} subscribers were not reached: the bot they subscribed with was down "
                "for longer than BROADCAST_WAIT_MINUTES.",
                self.gave_up,
            )
            html += "\n" + esc(down).format(count=t.number(self.gave_up))
        await self._edit(html)

    async def _edit(self, html: str) -> None:
        app = self.owner.fleet.app_of(self.broadcast.progress_bot)
        if app is None:  # the admin's bot is down: the counts stay on the broadcast
            return
        try:
            await app.bot.edit_message_text(
                html,
                chat_id=self.broadcast.admin_id,
                message_id=self.broadcast.progress_message,
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:  # a deleted or unchanged message must not stop sending
            log.debug("progress edit failed: %s", exc.__class__.__name__)


async def announce_milestone(
    runner: Broadcaster,
    campaign: Campaign,
    reached: int,
    goal: int,
    texts: dict[str, str],
) -> None:
    """Queues the milestone notice (`milestone_texts`) for the campaign's opted-in signers
    and starts sending."""
    runner.start(await broadcasts.queue_milestone(runner.svc, campaign, texts))
