"""Where the organisers' hourly budgets are kept: in memory, per organiser and kind, keyed by
a keyed hash of the organiser (never the Telegram id), and forgotten as soon as an hour holds
nothing of them. The rule is bot.domain.budgets; `bot.core.organisers.within_budget` is what a
use case calls."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import budgets
from bot.domain.budgets import Decision, Kind, Spent
from bot.domain.organisers import Level


class Budgets:
    """Each organiser's `Spent` per kind. Bounded by the number of organisers (ADMIN_IDS and
    MODERATOR_IDS), and every call first forgets whoever has nothing left in the window, so
    nothing about an organiser outlives the hour it is needed for."""

    def __init__(self) -> None:
        self._spent: dict[tuple[str, Kind], Spent] = {}

    def spend(self, organiser: str, kind: Kind, now: int, limit: int) -> Decision:
        self._forget_idle(now)
        decision = budgets.spend(self._spent.get((organiser, kind), Spent()), now, limit)
        self._spent[(organiser, kind)] = decision.spent
        return decision

    def _forget_idle(self, now: int) -> None:
        for key in [k for k, spent in self._spent.items() if spent.current(now).empty]:
            del self._spent[key]

    def __len__(self) -> int:
        """How many (organiser, kind) pairs are remembered (tests check it goes to zero)."""
        return len(self._spent)


@dataclass(frozen=True)
class OverBudget:
    """An organiser action refused: the hour's budget of its kind is spent."""

    kind: Kind
    level: Level
    limit: int
    retry_after: int  # seconds until one more action fits
    announce: bool  # the first refusal since the budget ran out: every admin is to be told
