"""Goal ladders: the next goal is the smallest step above the current count."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_LADDER: tuple[int, ...] = (
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 15_000, 25_000, 50_000, 75_000,
    100_000, 150_000, 250_000, 500_000, 1_000_000,
)  # fmt: skip


def _nice(value: float) -> int:
    """Rounds up to two significant digits so goals read like goals (1,500,000 not 1,518,750)."""
    n = int(value)
    magnitude = 10 ** max(len(str(n)) - 2, 0)
    return int(-(-n // magnitude) * magnitude)


def next_goal(count: int, ladder: Sequence[int] = DEFAULT_LADDER) -> int:
    """The smallest step strictly above `count`; past the ladder, it keeps growing by half."""
    steps = ladder or DEFAULT_LADDER
    for step in steps:
        if step > count:
            return step
    goal = steps[-1]
    while goal <= count:
        goal = _nice(goal * 1.5)
    return goal


def previous_goal(count: int, ladder: Sequence[int] = DEFAULT_LADDER) -> int | None:
    """The highest step already reached (count >= step), used to announce milestones."""
    reached = None
    steps = ladder or DEFAULT_LADDER
    for step in steps:
        if step <= count:
            reached = step
    goal = steps[-1]
    while goal <= count:
        reached = goal
        goal = _nice(goal * 1.5)
    return reached


def progress_bar(count: int, goal: int, width: int = 10) -> str:
    """A text bar that renders the same in every client and font; the first signature
    already shows (an empty bar under "1 signature" reads as if it did not count)."""
    filled = min(width, max(0, count * width // goal)) if goal > 0 else width
    if count > 0 and filled == 0:
        filled = 1
    return "▰" * filled + "▱" * (width - filled)


def percent(count: int, goal: int) -> str:
    """The share of the goal as shown: "<1" rather than a false "0" once someone signed."""
    value = min(100, count * 100 // goal) if goal > 0 else 100
    return "<1" if value == 0 and count > 0 else str(value)
