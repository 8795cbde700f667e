"""Goal ladders: the one owner of what the next goal is and which goals were reached.

The steps come from campaign.toml (`goals = [...]`) or from an admin's /goal ladder, and both
pass the same rule here. Past the last step each goal is half as much again, so a campaign
never runs out of goals; an admin's /goal next wins while it is above the count.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from bot.domain.stats import rounded_percent

MAX_STEPS = 50
MAX_GOAL = 1_000_000_000  # also the ceiling of an admin's /goal next


class LadderError(ValueError):
    """A ladder that breaks the rule; the message says how, in words for an organiser."""


def _problem(steps: Sequence[object]) -> str | None:
    """Why `steps` is not a ladder, or None: one rule for campaign.toml and /goal ladder."""
    if not steps:
        return "must have at least one step"
    if len(steps) > MAX_STEPS:
        return f"must have at most {MAX_STEPS} steps"
    numbers = [s for s in steps if isinstance(s, int) and not isinstance(s, bool)]
    if len(numbers) != len(steps) or any(s <= 0 for s in numbers):
        return "must be positive whole numbers"
    if any(b <= a for a, b in itertools.pairwise(numbers)):
        return "must be strictly increasing"
    if numbers[-1] > MAX_GOAL:
        return f"must be at most {MAX_GOAL:,}"
    return None


def _nice(value: int) -> int:
    """Rounds up to two significant digits so goals read like goals (1,500,000 not 1,518,750)."""
    magnitude = 10 ** max(len(str(value)) - 2, 0)
    return int(-(-value // magnitude) * magnitude)


def _grow(goal: int) -> int:
    """Half as much again, nicely rounded; always more, so a ladder ending at 1 cannot stall."""
    return max(_nice(goal * 3 // 2), goal + 1)


@dataclass(frozen=True)
class GoalLadder:
    """The goal steps in force for a campaign, valid by construction.

    `override` is an admin's /goal next: the next goal while it is above the count; reaching
    it is announced like a step (bot.core.milestones), but it never becomes one.
    """

    steps: tuple[int, ...]
    override: int | None = None

    def __post_init__(self) -> None:
        problem = _problem(self.steps)
        if problem:
            raise LadderError(problem)

    @classmethod
    def parse(cls, text: str) -> GoalLadder:
        """Steps typed as "100, 500, 1_000"; raises LadderError saying what is wrong."""
        parts = [p.strip().replace("_", "") for p in text.split(",")]
        if not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts):
            raise LadderError("must be whole numbers separated by commas")
        return cls(tuple(int(p) for p in parts))

    def with_override(self, goal: int | None) -> GoalLadder:
        return replace(self, override=goal or None)

    def climb(self) -> Iterator[int]:
        """The steps, then the grow-by-half continuation, without end: what both
        `next_above` and `reached` walk, so they can never disagree."""
        yield from self.steps
        goal = self.steps[-1]
        while True:
            goal = _grow(goal)
            yield goal

    def next_above(self, count: int) -> int:
        """The next goal: the admin's override while above `count`, else the first step above."""
        if self.override is not None and self.override > count:
            return self.override
        return next(step for step in self.climb() if step > count)

    def reached(self, count: int) -> int | None:
        """The highest step at or below `count` (None below the first): the milestone."""
        reached = None
        for step in itertools.takewhile(lambda step: step <= count, self.climb()):
            reached = step
        return reached

    def passed(self, count: int, announced: int) -> int | None:
        """The highest goal at or below `count` (a step, or the admin's /goal next) that is
        above `announced`, the one last announced: what a signature that brought the count to
        `count` announces, if any. Signers who sign at the same moment may each see a count
        one past a goal (none sees it exactly), so the test is "passed", not "landed on"."""
        goals = (self.reached(count), self.override)
        highest = max((g for g in goals if g is not None and g <= count), default=None)
        return highest if highest is not None and highest > announced else None


DEFAULT_LADDER = GoalLadder(
    (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 15_000, 25_000, 50_000, 75_000,
     100_000, 150_000, 250_000, 500_000, 1_000_000)
)  # fmt: skip


def ladder_of(steps: Sequence[int]) -> GoalLadder:
    """A campaign file's goals (raises LadderError if they break the rule), else the default."""
    return GoalLadder(tuple(steps)) if steps else DEFAULT_LADDER


def override_allowed(goal: int, count: int) -> bool:
    """An admin's next goal must lie ahead of the count (and under the ceiling of every goal)."""
    return count < goal <= MAX_GOAL


@dataclass(frozen=True)
class GoalInForce:
    goal: int  # the next goal shown with the progress
    ladder: GoalLadder  # the steps in force, the admin's override in it
    admin_ladder: bool  # the steps are an admin's /goal ladder, not the campaign file's


def goal_in_force(
    file_ladder: GoalLadder, admin_steps: Sequence[int] | None, override: int | None, count: int
) -> GoalInForce:
    """An admin's ladder replaces the file's; an admin's next goal wins while above the count.

    A stored admin ladder that no longer passes the rule is ignored rather than breaking
    every card that shows the progress.
    """
    admin = None
    if admin_steps:
        try:
            admin = GoalLadder(tuple(admin_steps))
        except LadderError:
            admin = None
    ladder = (admin or file_ladder).with_override(override)
    return GoalInForce(ladder.next_above(count), ladder, admin is not None)


@dataclass(frozen=True)
class GoalMeaning:
    """What reaching one goal does, as the campaign wrote it, per language."""

    sentences: tuple[tuple[str, str], ...] = ()  # (language, sentence)
    default_language: str = ""

    def in_language(self, language: str) -> str:
        """The reader's language, else the campaign's default language, else nothing.

        The same fallback as the campaign text itself: a reader whose language has no
        sentence for this goal still learns what it does, in the language the campaign is
        run in, rather than seeing a bare number.
        """
        found = dict(self.sentences)
        return found.get(language) or found.get(self.default_language, "")


NO_MEANING = GoalMeaning()


def progress_bar(count: int, goal: int, width: int = 10) -> str:
    """A text bar that renders the same in every client and font; the first signature
    already shows (an empty bar under "1 signature" reads as if it did not count)."""
    filled = min(width, max(0, count * width // goal)) if goal > 0 else width
    if count > 0 and filled == 0:
        filled = 1
    return "▰" * filled + "▱" * (width - filled)


def percent(count: int, goal: int) -> str:
    """The share of the goal as shown, rounded: "<1" rather than a false "0" once someone
    signed, and never "100" before the goal is reached."""
    if goal <= 0 or count >= goal:
        return "100"
    value = min(99, rounded_percent(count, goal))
    return "<1" if value == 0 and count > 0 else str(value)


@dataclass(frozen=True)
class Progress:
    count: int
    recent: int
    goal: int
    # The goal steps in force (an admin's ladder or the file's), an admin's next goal in it.
    ladder: GoalLadder = DEFAULT_LADDER
    admin_ladder: bool = False  # the steps are an admin's /goal ladder
    meaning: GoalMeaning = NO_MEANING  # what reaching `goal` does, per language
