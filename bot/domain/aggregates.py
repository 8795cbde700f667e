"""Small counts, defined once: every count an organiser sees or exports passes through here.

A named link sent to one person, or a small group, is a source of one: if its row showed
"1 visit · 1 signature", the link would have unmasked that person. So a row (a source, a
language, a day's source in the funnel) is shown on its own only when each of its counts
reaches the threshold; every other row goes into one "other" row. The anchor (the visitors who
came without a link) is always in "other", so a signature through a small link is told apart
from one without a link by nothing shown. When "other" would still hold a count under the
threshold, the smallest rows shown are moved into it too, until each of its counts reaches the
threshold or every row is in it: then a total minus the rows shown never yields a count under
the threshold. A count under the threshold that is shown anyway (the "other" row holding
everything, or a single figure such as today's) is shown as below it, never exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Below:
    """A count under the threshold: shown as "<10", never as its value."""

    threshold: int


Shown = int | Below


def shown(count: int, threshold: int) -> Shown:
    """One count as it may be shown: exact from the threshold on."""
    return count if count >= threshold else Below(threshold)


@dataclass(frozen=True)
class Merged(Generic[K]):
    """A table after the rule: `rows` exact (each count at or above the threshold), largest
    first; `other` the merged row (None when nothing was merged); `members` its keys."""

    rows: list[tuple[K, tuple[int, ...]]]
    other: tuple[Shown, ...] | None
    members: list[K]


def merge_small(
    cells: Mapping[K, Sequence[int]], threshold: int, *, anchor: K | None = None
) -> Merged[K]:
    """Applies the rule to `cells` (each key with its counts, all of one width).

    Pass every key that could hold a count, with zeros: whether a key is there must not depend
    on whether someone came through it. `anchor` (when among the keys) is always merged.
    """
    width = len(next(iter(cells.values()), ()))
    visible = {k: tuple(v) for k, v in cells.items() if k != anchor and min(v) >= threshold}
    merged = [k for k in cells if k not in visible]
    sums = [sum(cells[k][i] for k in merged) for i in range(width)]
    # Largest first; the order of equal rows is the keys' (never the order they came in).
    ranked = sorted(visible.items(), key=lambda kv: (-kv[1][0], str(kv[0])))
    while merged and ranked and min(sums) < threshold:
        key, counts = ranked.pop()
        merged.append(key)
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
    other = tuple(shown(n, threshold) for n in sums) if merged else None
    return Merged(rows=ranked, other=other, members=sorted(merged, key=str))
