"""Each campaign's page index of its public list (bot.domain.page_index), kept in memory.

Built on the first read of a list (in short transactions), then brought up to date by each
page read from the engine's change log, one read at a time per list. Held per campaign for
the rule it was built under: a reload that changes the rule builds it again.
"""

from __future__ import annotations

import asyncio

from bot.domain.page_index import PageIndex
from bot.domain.signatories import Entry, Listing, Window
from bot.storage import signatories as store
from bot.storage.engine import Database


class PageIndexes:
    def __init__(self) -> None:
        self._held: dict[str, tuple[Listing, PageIndex]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def read(
        self, db: Database, campaign: str, listing: Listing, window: Window
    ) -> tuple[list[Entry], int, int]:
        """The names of `window` (clamped), how many are listed, how many signed in all."""
        async with self._locks.setdefault(campaign, asyncio.Lock()):
            while True:
                held = self._held.get(campaign)
                if held is None or held[0] != listing:
                    held = (listing, await store.build_index(db, campaign, listing))
                    self._held[campaign] = held
                found = await store.page(db, campaign, listing, held[1], window)
                if found is not None:
                    break
                del self._held[campaign]  # too far behind the change log: build it again
            db.changes.forget_before(min(index.seen for _, index in self._held.values()))
            return found
