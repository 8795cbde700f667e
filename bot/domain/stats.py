"""What organisers' numbers are made of: counts per campaign, language, source and step,
never a per-person record."""

from __future__ import annotations

from dataclasses import astuple, dataclass


def rounded_percent(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole` (> 0), rounded half up: 2 of 3 is 67, not 66."""
    return (part * 200 + whole) // (2 * whole)


@dataclass(frozen=True)
class Stats:
    """The raw counts, as stored: bot.core.stats passes them through bot.domain.aggregates
    before anyone sees them."""

    total: int
    today: int  # signed today (UTC), and in the last 7 days
    week: int
    withdrawals: int  # by the signers themselves
    by_language: dict[str, int]  # held signatures per language (anonymised ones are not rows)
    removals: int = 0  # by organisers (/remove, /block)
    today_erased: int = 0  # withdrawn or removed today, and in the last 7 days
    week_erased: int = 0


@dataclass(frozen=True)
class Totals:
    """The funnel's counts (bot.storage.funnel.Event) over some hours."""

    opened: int = 0
    started: int = 0
    named: int = 0
    signed: int = 0
    cancelled: int = 0
    expired: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))
