"""Each person's slow pseudonym base: computed off the event loop, one per core, kept minutes.

The slow base (bot/crypto.py) is what makes a seized database and key expensive to enumerate,
so it costs every person one argon2id computation too. It is paid only for updates that read
or write per-person rows (bot.telegram.middleware.gate asks for it), at most one computation
per core at a time, and kept for a few minutes keyed by the fast HMAC, never the raw id.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from bot.config import PseudonymCost
from bot.crypto import slow_base
from bot.domain.signatures import signer_id

log = logging.getLogger(__name__)
KEEP_SECONDS = 300  # a journey takes a minute or two; five minutes spare most repeats
KEEP_AT_MOST = 20_000  # people active within KEEP_SECONDS; beyond it the oldest go first


class Fresh(NamedTuple):
    """A base just computed: the old form (to move rows left from before) and the new."""

    fast: str
    slow: str


class Bases:
    def __init__(
        self, key: bytes, cost: PseudonymCost, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._key = key
        self._cost = cost
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, str]] = OrderedDict()  # fast -> (at, slow)
        self._slots = asyncio.Semaphore(os.cpu_count() or 1)
        self.computed = 0  # slow computations so far (bench/signing.py reports it)

    def slow(self, fast: str) -> str:
        """Blocking: one argon2id computation."""
        self.computed += 1
        return slow_base(
            self._key, fast, self._cost.memory_kib, self._cost.passes, self._cost.lanes
        )

    async def compute(self, fast: str) -> str:
        """One slow base in a worker thread, waiting for a free core."""
        async with self._slots:
            return await asyncio.to_thread(self.slow, fast)

    async def prepare(self, user_id: int) -> Fresh | None:
        """Makes `of(user_id)` instant for a few minutes; returns the base if it was computed."""
        fast = signer_id(self._key, user_id)
        if self._get(fast) is not None:
            return None
        slow = await self.compute(fast)
        self._put(fast, slow)
        return Fresh(fast, slow)

    def cached(self, user_id: int) -> str | None:
        return self._get(signer_id(self._key, user_id))

    def of(self, user_id: int) -> str:
        """The slow base; computed here, blocking, only on a path that skipped `prepare`."""
        fast = signer_id(self._key, user_id)
        slow = self._get(fast)
        if slow is None:
            log.debug("slow base computed on the event loop")
            slow = self.slow(fast)
            self._put(fast, slow)
        return slow

    def _get(self, fast: str) -> str | None:
        kept = self._kept.get(fast)
        if kept is None or self._clock() - kept[0] > KEEP_SECONDS:
            return None
        return kept[1]

    def _put(self, fast: str, slow: str) -> None:
        now = self._clock()
        self._kept.pop(fast, None)
        self._kept[fast] = (now, slow)
        while self._kept and (
            len(self._kept) > KEEP_AT_MOST
            or now - next(iter(self._kept.values()))[0] > KEEP_SECONDS
        ):
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
