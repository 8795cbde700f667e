"""What the process keeps per person in memory, forgotten after minutes.

A memory image, swap or a hoster's snapshot must not list everyone who used the bot since it
started. So every per-person structure (flood buckets, group budgets, caches) is an `Expiring`
map made by one `Memory`: an entry lives `ttl` seconds after it was last written, is dropped
on access once stale, and one periodic job sweeps them all (bot.telegram.jobs). Maps keyed by
a Telegram id store a keyed hash of it (`Blinder`), never the id itself.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

FORGET_AFTER = 300.0  # seconds; a journey takes a minute or two


class Blinder:
    """A keyed hash of a Telegram id: stable for this process, useless without its secret.

    The secret is made at start and never stored, so the blinded keys link to nothing on disk.
    """

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __call__(self, telegram_id: int) -> bytes:
        return hashlib.blake2b(str(telegram_id).encode(), key=self._secret, digest_size=16).digest()


class Expiring(Generic[K, V]):
    """A map whose entries expire `ttl` seconds after their last write (oldest first).

    `blind` turns a key into what is stored (a Blinder for Telegram ids); `most` bounds the
    entries, the oldest going first, so a burst of strangers cannot grow it without end.
    """

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float],
        *,
        blind: Callable[[K], Hashable] | None = None,
        most: int | None = None,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._blind = blind
        self._most = most
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()  # by write time

    def _stored(self, key: K) -> Hashable:
        return key if self._blind is None else self._blind(key)

    def get(self, key: K) -> V | None:
        stored = self._stored(key)
        entry = self._entries.get(stored)
        if entry is None:
            return None
        if not self._fresh(entry[0], self._clock()):
            del self._entries[stored]
            return None
        return entry[1]

    def _fresh(self, written: float, now: float) -> bool:
        """A clock set back counts as stale: forgetting early is the safe side."""
        return 0 <= now - written < self.ttl

    def __contains__(self, key: K) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: K, value: V) -> None:
        stored = self._stored(key)
        self._entries.pop(stored, None)
        self._entries[stored] = (self._clock(), value)
        if self._most is not None and len(self._entries) > self._most:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(self._stored(key), None)
        return None if entry is None else entry[1]

    def clear(self) -> None:
        self._entries.clear()

    def sweep(self) -> int:
        """Drops every stale entry; returns how many. Entries are in write order, so this
        stops at the first fresh one."""
        now, dropped = self._clock(), 0
        while self._entries:
            if self._fresh(next(iter(self._entries.values()))[0], now):
                break
            self._entries.popitem(last=False)
            dropped += 1
        return dropped

    def __len__(self) -> int:
        return len(self._entries)

    def stored_keys(self) -> Iterator[Hashable]:
        """The keys as held in memory (blinded where a Blinder is set), for tests."""
        return iter(self._entries)


class Memory:
    """Makes every per-person map of the process, so that one job sweeps them all."""

    def __init__(
        self, clock: Callable[[], float], secret: bytes, ttl: float = FORGET_AFTER
    ) -> None:
        self.clock = clock
        self.ttl = ttl
        self.blinder = Blinder(secret)
        self._maps: list[Expiring[object, object]] = []

    def by_telegram_id(self, *, most: int | None = None) -> Expiring[int, V]:
        """A map keyed by a Telegram user or chat id, stored blinded."""
        made: Expiring[int, V] = Expiring(self.ttl, self.clock, blind=self.blinder, most=most)
        self._maps.append(made)  # type: ignore[arg-type]
        return made

    def by_key(self, *, ttl: float | None = None, most: int | None = None) -> Expiring[K, V]:
        """A map keyed by something already not a Telegram id (a pseudonym, a page)."""
        made: Expiring[K, V] = Expiring(min(ttl or self.ttl, self.ttl), self.clock, most=most)
        self._maps.append(made)  # type: ignore[arg-type]
        return made

    def sweep(self) -> int:
        return sum(m.sweep() for m in self._maps)

    def __len__(self) -> int:
        """Entries held across every map."""
        return sum(len(m) for m in self._maps)
