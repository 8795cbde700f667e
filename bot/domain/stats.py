"""What organisers' numbers are made of: counts per campaign, language, source and step,
never a per-person record."""

from __future__ import annotations

from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class Stats:
    total: int
    today: int
    week: int
    withdrawals: int
    by_language: list[tuple[str, int]]
    by_source: list[tuple[str, int, int]]  # (source code, signatures, visits); "" = direct


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
