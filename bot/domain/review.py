"""The organisers' review of public names: which decision moves a name from which state.

The states are `bot.domain.signatories.Review` (stored as their values, migrations/0008). Every
UPDATE of `signatures.review` made by a decision takes its `WHERE review IN (…)` and its new
value from `REVIEW_MOVES`, so the rule is written once.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.domain.signatories import Entry, Review


class Decision(enum.Enum):
    """What changes a public name's review state."""

    APPROVE = "approve"  # an organiser approved a batch they saw
    HIDE = "hide"  # an organiser hid it (again: hiding twice is still hidden)
    UNHIDE = "unhide"  # an organiser took the hiding back: looked at again where reviewed
    EDIT = "edit"  # its signer changed it: a hidden name stays hidden, any other is new again


@dataclass(frozen=True)
class Move:
    """From any of `sources` to `target`."""

    sources: frozenset[Review]
    target: Review

    def allows(self, state: Review) -> bool:
        return state in self.sources

    @property
    def ordered_sources(self) -> tuple[Review, ...]:
        """The sources in the enum's order (stable SQL parameters)."""
        return tuple(state for state in Review if state in self.sources)


REVIEW_MOVES: Mapping[Decision, Move] = MappingProxyType(
    {
        Decision.APPROVE: Move(frozenset({Review.WAITING}), Review.APPROVED),
        Decision.HIDE: Move(frozenset(Review), Review.HIDDEN),
        Decision.UNHIDE: Move(frozenset({Review.HIDDEN}), Review.WAITING),
        Decision.EDIT: Move(frozenset({Review.WAITING, Review.APPROVED}), Review.WAITING),
    }
)


def after(decision: Decision, state: Review) -> Review:
    """The state a name is in after `decision`; unchanged where the decision does not apply."""
    move = REVIEW_MOVES[decision]
    return move.target if move.allows(state) else state


def batch_digest(campaign: str, entries: list[Entry]) -> str:
    """What a reviewer saw, in 12 hex digits: a batch is approved only if nothing in it
    changed (an edited name goes back to the queue and must be looked at again)."""
    seen = "\n".join(
        f"{e.number}\x1f{e.name}\x1f{e.role or ''}\x1f{e.organisation or ''}" for e in entries
    )
    return hashlib.sha256(f"{campaign}\n{seen}".encode()).hexdigest()[:12]
