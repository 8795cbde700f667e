"""Each bot's standing with Telegram, for /healthz, /metrics and the one log line a failure
gets (reserve bots: one bot's failure is that bot's alone).

A bot is known by its id, the number before its token's colon that getMe confirms, never by
its token or its place in BOT_TOKENS. Its requests (bot.telegram.client) report every answer
here: a success keeps it serving, a 401 means Telegram rejected its token (revoked in
@BotFather, or the bot was deleted or blocked), which no retry can mend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

log = logging.getLogger(__name__)

API_STALE_AFTER = 600.0  # seconds without a successful Bot API call before a bot is failing
# Another process takes this bot's updates (getUpdates answered 409 Conflict, or in webhook
# mode the webhook points elsewhere): a second copy of the bot, or a leaked token. Named by
# /healthz for this long after it was last seen.
CONFLICT_NAMED_FOR = 600.0


class State(StrEnum):
    STARTING = "starting"  # getMe has not answered yet
    SERVING = "serving"
    REJECTED = "rejected"  # 401: the token is no longer valid


class BotLink:
    """One bot's standing: what /healthz and the bot's metrics say about it."""

    def __init__(self, token: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.id = int(token.split(":", 1)[0])  # getMe's id too; the secret stays out
        self.username = ""
        self.state = State.STARTING
        self.last_success: float | None = None
        self.reason = "Telegram has not answered getMe yet"
        self._clock = clock
        self._on_rejected: Callable[[BotLink], None] | None = None
        self.last_conflict: float | None = None  # when getUpdates last answered 409

    def __repr__(self) -> str:
        return f"<BotLink {self.id} {self.state}>"

    @property
    def name(self) -> str:
        """How logs and /healthz name the bot: its public username and id, never its token."""
        return f"@{self.username} ({self.id})" if self.username else f"bot {self.id}"

    def on_rejected(self, callback: Callable[[BotLink], None]) -> None:
        self._on_rejected = callback

    def answered(self, status: int, method: str = "") -> None:
        """A Bot API answer reached us (bot.telegram.client.ResilientRequest)."""
        if status == 200:
            self.last_success = self._clock()
        elif status == 401:
            self.rejected()
        elif status == 409 and method == "getUpdates":
            self.taken("Telegram answers getUpdates with 409 Conflict")

    def taken(self, how: str) -> None:
        """Someone else takes this bot's updates: logged once a quarrel, named by /healthz."""
        now = self._clock()
        if self.last_conflict is None or now - self.last_conflict > CONFLICT_NAMED_FOR:
            log.error(
                "%s: another process takes this bot's updates (%s): a second copy of the bot, "
                "or a leaked token; if it is not yours, revoke the token in @BotFather",
                self.name,
                how,
            )
        self.last_conflict = now

    def conflict(self, now: float) -> str:
        """Why /healthz names a bot that serves while another process takes its updates; ""
        when nothing did for CONFLICT_NAMED_FOR."""
        if self.last_conflict is None or now - self.last_conflict > CONFLICT_NAMED_FOR:
            return ""
        return (
            f"another process took its updates {now - self.last_conflict:.0f} s ago: "
            "a second copy of the bot, or a leaked token?"
        )

    def up(self, bot_id: int, username: str) -> None:
        """getMe answered: the bot serves."""
        self.id, self.username = bot_id, username
        self.state = State.SERVING
        self.last_success = self._clock()

    def rejected(self) -> None:
        """Telegram refused the token: logged once, and the fleet told (it keeps the others)."""
        if self.state is State.REJECTED:
            return
        self.state = State.REJECTED
        self.reason = "Telegram rejected its token (401): revoked or replaced in @BotFather?"
        if self._on_rejected is not None:
            self._on_rejected(self)

    def unreachable(self, why: str) -> None:
        """getMe failed for a reason a later try may mend (network, 5xx, flood wait)."""
        self.reason = f"Telegram cannot be reached ({why})"

    def serving(self, now: float) -> bool:
        """Serving and heard from Telegram in the ten minutes before `now` (monotonic; an
        idle bot calls Telegram every four, bot.telegram.health.keep_alive)."""
        if self.state is not State.SERVING or self.last_success is None:
            return False
        return now - self.last_success <= API_STALE_AFTER

    def serving_now(self) -> bool:
        return self.serving(self._clock())

    def failure(self, now: float) -> str:
        """Why it does not serve at `now`."""
        if self.state is State.SERVING and self.last_success is not None:
            return f"no Bot API call succeeded for {now - self.last_success:.0f} s"
        return self.reason
