"""Each person's slow pseudonym base: computed off the event loop, one per core, kept minutes.

The slow base (bot/crypto.py) is what makes a seized database and key expensive to enumerate,
so it costs every person one argon2id computation too. It is paid only for updates that read
or write per-person rows (bot.telegram.middleware.gate asks for it), at most one computation
per core at a time, and kept for a few minutes (bot.domain.expiring) keyed by a blinded id.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import NamedTuple

from bot.config import PseudonymCost
from bot.crypto import slow_base
from bot.domain.expiring import Expiring, Memory
from bot.domain.signatures import signer_id

log = logging.getLogger(__name__)
KEEP_AT_MOST = 20_000  # people active within KEEP_SECONDS; beyond it the oldest go first


class Fresh(NamedTuple):
    """A base just computed: the old form (to move rows left from before) and the new."""

    fast: str
    slow: str


class Bases:
    def __init__(self, key: bytes, cost: PseudonymCost, memory: Memory) -> None:
        self._key = key
        self._cost = cost
        self._kept: Expiring[int, str] = memory.by_telegram_id(most=KEEP_AT_MOST)  # -> slow base
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
        if user_id in self._kept:
            return None
        fast = signer_id(self._key, user_id)
        slow = await self.compute(fast)
        self._kept[user_id] = slow
        return Fresh(fast, slow)

    def cached(self, user_id: int) -> str | None:
        return self._kept.get(user_id)

    def of(self, user_id: int) -> str:
        """The slow base; computed here, blocking, only on a path that skipped `prepare`."""
        slow = self._kept.get(user_id)
        if slow is None:
            log.debug("slow base computed on the event loop")
            slow = self.slow(signer_id(self._key, user_id))
            self._kept[user_id] = slow
        return slow

    def __len__(self) -> int:
        return len(self._kept)
