"""What several workers on one database share through it, so that they act as one bot.

Telegram may hand two updates of one person to two workers at once, or redeliver one to
another worker; each worker caches languages, list counts and campaigns; and a flood spread
over N workers must not get N allowances. So, through the database alone and in ways a
transaction-mode pooler keeps:

- each update runs in its person's *turn* (bot.storage's `turn`: a transaction-scoped advisory
  lock on PostgreSQL), skipped when a worker already handled it, and the generations read as
  the turn begins tell the worker which of its caches another changed meanwhile;
- what a worker changed is noted in `changed` and raised as the turn ends;
- each person's flood allowance is one row, taken in one statement, and so is each group's
  allowance of the bot's posts.

With one process (SQLite) the turn is the process's own ordering and changes are dropped in
place; the flood rule is the same statement.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.core import bots, catalogue
from bot.core.bases import KEEP_AT_MOST
from bot.core.content import ContentError
from bot.core.services import Services
from bot.domain.costs import Verdict
from bot.domain.expiring import FORGET_AFTER, Expiring, Memory
from bot.storage import workers as store
from bot.storage.engine import Database

log = logging.getLogger(__name__)
BUCKET_BITS = 24  # a bucket is shared by hundreds of possible Telegram accounts: it names none
# What a group's posts draw on (bot.telegram.middleware.GroupBudget): cards, and refusals.
GROUP_PURPOSES = ("posts", "refusals")
KEEP_HANDLED = 86_400  # seconds an update id is remembered (Telegram retries for less)


def _keyed(key: bytes, purpose: str, telegram_id: int) -> bytes:
    return hmac.new(key, f"{purpose}:{telegram_id}".encode(), hashlib.sha256).digest()


def bucket_of(key: bytes, telegram_id: int) -> int:
    """The person's flood bucket: few bits, so the stored number says nobody's id."""
    return int.from_bytes(_keyed(key, "flood", telegram_id)[:4]) >> (32 - BUCKET_BITS)


def group_bucket_of(key: bytes, bot: int, chat_id: int, purpose: str) -> int:
    """A group's allowance of one `purpose` (GROUP_PURPOSES) from one bot: a bucket below
    zero, in a range of its own, so never a person's bucket nor another purpose's."""
    hashed = int.from_bytes(_keyed(key, f"group:{bot}:{purpose}", chat_id)[:4])
    return -((GROUP_PURPOSES.index(purpose) + 1) << BUCKET_BITS) - (hashed >> (32 - BUCKET_BITS))


def lock_of(key: bytes, telegram_id: int) -> int:
    """The person's turn: a signed 64-bit advisory lock key, never stored."""
    return int.from_bytes(_keyed(key, "turn", telegram_id)[:8], signed=True)


def handled_as(bot: int, update_id: int) -> int:
    """An update as the table of handled updates knows it. Telegram numbers updates per bot,
    so a reserve bot's update may carry the number of one the primary handled; a signed
    64-bit hash of both tells them apart (a collision within the day kept is about 2^-40 at
    a million updates) and fits the column on both engines."""
    digest = hashlib.blake2b(f"{bot}:{update_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, signed=True)


class Shared:
    """One worker's side of what the workers share (built once per bot, over its database)."""

    def __init__(
        self,
        db: Database,
        key: bytes,
        clock: Callable[[], float],
        catch_up: Callable[[dict[str, int]], Awaitable[None]] | None = None,
        changed: set[str] | None = None,
        bot: int = 0,
        memory: Memory | None = None,
    ) -> None:
        self._db, self._key, self._clock, self._bot = db, key, clock, bot
        self._catch_up = catch_up
        self.changed: set[str] = set() if changed is None else changed
        # person (blinded) -> (flood bucket, turn key): two HMACs while the person is kept,
        # not two for each of their updates
        self._keys: Expiring[int, tuple[int, int]] | None = (
            None if memory is None else memory.by_telegram_id(most=KEEP_AT_MOST)
        )

    @classmethod
    def of(cls, svc: Services, bot: int) -> Shared:
        """The side of the bot with this id (the number before its token's colon)."""

        async def catch_up(generations: dict[str, int]) -> None:
            await refresh(svc, generations)

        key, clock = svc.settings.signer_key, lambda: svc.clock()
        return cls(svc.db, key, clock, catch_up, svc.changed, bot, svc.memory)

    def _keys_of(self, telegram_id: int) -> tuple[int, int]:
        """The person's flood bucket and turn key."""
        keys = None if self._keys is None else self._keys.get(telegram_id)
        if keys is None:
            keys = (bucket_of(self._key, telegram_id), lock_of(self._key, telegram_id))
            if self._keys is not None:
                self._keys[telegram_id] = keys
        return keys

    async def admit(
        self, telegram_id: int, cost: float, burst: float, per_second: float
    ) -> Verdict:
        """The flood rule (bot.storage.workers.take) for this person's bucket, now."""
        found = await store.take(
            self._db, self._keys_of(telegram_id)[0], cost, burst, per_second, self._clock()
        )
        return Verdict(found)

    async def group_allows(self, chat_id: int, purpose: str, per_minute: int) -> bool:
        """Whether this bot may post once more of `purpose` into the group now: the flood
        rule's bucket, holding `per_minute` posts and refilled over a minute, one row that
        every worker draws on (one budget, however many workers a group's commands reach)."""
        bucket = group_bucket_of(self._key, self._bot, chat_id, purpose)
        rate = per_minute / 60.0
        found = await store.take(self._db, bucket, 1.0, per_minute, rate, self._clock())
        return found == "run"

    @asynccontextmanager
    async def turn(self, telegram_id: int, update_id: int) -> AsyncIterator[bool]:
        """Holds the person's turn while the update is handled; yields False when a worker
        already handled it (a redelivery), after catching up with other workers' changes."""
        async with self._db.turn(
            self._keys_of(telegram_id)[1],
            handled_as(self._bot, update_id),
            int(self._clock()),
            self.changed,
        ) as found:
            if found.generations is not None and self._catch_up is not None:
                await self._catch_up(found.generations)
            yield found.fresh

    async def forget(self) -> None:
        """Buckets idle for minutes and update ids older than a day."""
        now = self._clock()
        await store.forget(self._db, now - FORGET_AFTER, int(now) - KEEP_HANDLED)


async def refresh(svc: Services, generations: dict[str, int]) -> None:
    """Drops or reloads what another worker changed since this one last looked."""
    newer = {k for k, v in generations.items() if v > svc.generations.get(k, 0)}
    if not newer:
        return
    svc.generations.update(generations)
    if "languages" in newer:
        svc.drop_languages()
    if "lists" in newer:
        svc.drop_recent()
    if "bots" in newer:  # an admin's /bots: roles are read again
        await bots.load(svc)
    if "folders" in newer:
        try:
            await catalogue.settle(svc, (await catalogue.read_folders(svc)).all())
        except ContentError as exc:  # the worker that reloaded had a good folder; this has not
            log.error("campaign folders changed by another worker do not load: %s", exc.problem)
    elif "campaigns" in newer:
        await catalogue.settle(svc, catalogue.folder_campaigns(svc))
