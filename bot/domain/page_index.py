"""A sparse index of the public list: where its stretches of about `STRETCH` names start.

A page far into a long list is then read from the start of its stretch, never by counting
every name before it (an OFFSET of 999,999,999 made SQLite walk the whole list). The index
is server-side and holds signature numbers; a page button carries only a position, so no
number tells a reader how many unlisted signatures sit between two names.

Stretch `i` holds the listed names numbered `bounds[i] <= number < bounds[i + 1]` (the last
one is open-ended) and `counts[i]` says how many. When a signature changes (added, hidden,
approved, withdrawn, edited), only the stretch that holds its number is counted again, and
one that grew past `MOST` is split. `seen` is how far into the engine's change log the
counts are known to be right (bot.storage.engine.ChangeLog).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

STRETCH = 256  # names per stretch when built or split
MOST = 2 * STRETCH  # a stretch counted above this is split


@dataclass
class PageIndex:
    bounds: list[int] = field(default_factory=lambda: [0])
    counts: list[int] = field(default_factory=lambda: [0])
    seen: int = 0
    built: bool = False

    @property
    def listed(self) -> int:
        return sum(self.counts)

    def stretch_of(self, number: int) -> int:
        return max(0, bisect_right(self.bounds, number) - 1)

    def span(self, stretch: int) -> tuple[int, int | None]:
        """The numbers of stretch `stretch`: from, and up to but excluding (None: no end)."""
        end = self.bounds[stretch + 1] if stretch + 1 < len(self.bounds) else None
        return self.bounds[stretch], end

    def locate(self, offset: int) -> tuple[int, int]:
        """Where the name after the first `offset` listed names is: the number its stretch
        starts at, and how many listed names of that stretch come before it."""
        before = 0
        for bound, count in zip(self.bounds, self.counts, strict=True):
            if offset < before + count:
                return bound, offset - before
            before += count
        return self.bounds[-1], offset - (before - self.counts[-1])

    def recounted(self, stretch: int, numbers: list[int] | None, count: int) -> None:
        """Stretch `stretch` holds `count` names; `numbers` (all of them, in order) when it
        holds more than `MOST`, to split it into stretches of `STRETCH`."""
        if numbers is None or len(numbers) <= MOST:
            self.counts[stretch] = count
            return
        starts = [self.bounds[stretch], *numbers[STRETCH::STRETCH]]
        sizes = [STRETCH] * (len(starts) - 1) + [len(numbers) - STRETCH * (len(starts) - 1)]
        self.bounds[stretch : stretch + 1] = starts
        self.counts[stretch : stretch + 1] = sizes


def built_from(starts: list[int], listed: int, seen: int) -> PageIndex:
    """The index of a list of `listed` names where `starts` are the numbers of names
    `STRETCH + 1`, `2 * STRETCH + 1`, …"""
    sizes = [STRETCH] * len(starts) + [listed - STRETCH * len(starts)]
    return PageIndex([0, *starts], sizes, seen, built=True)
