"""Organisers' hourly budgets: how many previews of signatures and how many destructive actions
(remove, block, hide) one organiser may make in any hour.

A moderator's account walking `/remove 1…N` is either a script or a stolen account; a budget
stops it early and a refusal tells every admin. The rule is a sliding window over the times
of the actions admitted in the last hour; the state is a value (`Spent`), kept by whoever
calls, so this module holds no state and no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

WINDOW = 3600  # seconds: the budgets are per hour


class Kind(enum.Enum):
    """What an organiser action draws on; the value is what the audit log records."""

    PREVIEW = "preview"  # a signature shown before a decision (/remove N, /block N)
    DESTRUCTIVE = "destructive"  # remove, block, hide


@dataclass(frozen=True)
class Spent:
    """One organiser's actions of one kind in the last hour, and whether the admins were told
    that this organiser ran out (once per time they run out, not once per refused try)."""

    times: tuple[int, ...] = ()
    announced: bool = False

    def current(self, now: int) -> Spent:
        """Without the actions that left the window."""
        return Spent(tuple(t for t in self.times if now - t < WINDOW), self.announced)

    @property
    def empty(self) -> bool:
        """Nothing left to remember: the caller forgets this organiser."""
        return not self.times


class Verdict(enum.Enum):
    ADMITTED = "admitted"
    REFUSED = "refused"  # over the budget; the admins were already told
    REFUSED_FIRST = "refused_first"  # over the budget, for the first time: tell every admin


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    spent: Spent  # the state to keep
    retry_after: int  # seconds until one more action fits (0 when admitted)

    @property
    def admitted(self) -> bool:
        return self.verdict is Verdict.ADMITTED


def spend(spent: Spent, now: int, limit: int) -> Decision:
    """One more action at `now` under `limit` per hour: admitted (and counted), or refused
    (and not counted: trying again does not push the window further)."""
    spent = spent.current(now)
    if len(spent.times) < limit:
        return Decision(Verdict.ADMITTED, Spent((*spent.times, now), announced=False), 0)
    retry_after = max(1, WINDOW - (now - min(spent.times))) if spent.times else WINDOW
    verdict = Verdict.REFUSED if spent.announced else Verdict.REFUSED_FIRST
    return Decision(verdict, Spent(spent.times, announced=True), retry_after)
