"""What organisers' numbers are made of: counts per campaign, language, source and step,
never a per-person record."""

from __future__ import annotations

from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class Stats:
    """The raw counts, as stored: bot.core.stats passes them through bot.domain.aggregates
    before anyone sees them."""

    total: int
    today: int
    week: int
    withdrawals: int
    by_language: dict[str, int]  # held signatures per language (anonymised ones are not rows)


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
