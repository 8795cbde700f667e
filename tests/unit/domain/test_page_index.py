"""The page index's arithmetic and the clamping of positions, against a plain list."""

from __future__ import annotations

import random

from bot.domain.page_index import MOST, STRETCH, PageIndex, built_from
from bot.domain.signatories import Window


def index_of(numbers: list[int]) -> PageIndex:
    return built_from(numbers[STRETCH::STRETCH], len(numbers), seen=0)


def name_at(index: PageIndex, numbers: list[int], offset: int) -> int:
    """The number of the name after `offset` others, found as a page read finds it."""
    bound, skip = index.locate(offset)
    return [n for n in numbers if n >= bound][skip]


def recount(index: PageIndex, numbers: list[int], number: int) -> None:
    """What a page read does for a changed signature: count its stretch again."""
    stretch = index.stretch_of(number)
    start, end = index.span(stretch)
    inside = [n for n in numbers if n >= start and (end is None or n < end)]
    index.recounted(stretch, inside if len(inside) > MOST else None, len(inside))


def test_locate_finds_every_position_as_names_come_and_go() -> None:
    rng = random.Random(26)
    numbers = sorted(rng.sample(range(1, 20_000), 3_000))
    index = index_of(numbers)
    for _ in range(400):
        if rng.random() < 0.5 and numbers:  # withdrawn or hidden anywhere
            gone = numbers.pop(rng.randrange(len(numbers)))
            recount(index, numbers, gone)
        else:  # approved or unhidden anywhere, or signed at the end
            new = rng.randrange(1, 25_000)
            if new not in numbers:
                numbers = sorted([*numbers, new])
                recount(index, numbers, new)
    assert index.listed == len(numbers)
    assert max(index.counts) <= MOST
    for offset in range(0, len(numbers), 37):
        assert name_at(index, numbers, offset) == numbers[offset]


def test_a_stretch_that_grew_is_split() -> None:
    numbers = list(range(1, 101))
    index = index_of(numbers)
    numbers += list(range(1_000, 1_000 + 3 * STRETCH))  # signed after it was built
    recount(index, numbers, numbers[-1])
    assert len(index.bounds) == 4 and index.listed == len(numbers)
    assert name_at(index, numbers, 100) == 1_000


def test_positions_are_clamped_to_the_list() -> None:
    assert Window(40, after=999_999_999).clamped(120) == (80, 40, True)  # the last page
    assert Window(40, upto=999_999_999).clamped(120) == (80, 40, True)
    assert Window(40, after=40).clamped(120) == (40, 40, False)
    assert Window(40, upto=41).clamped(120) == (0, 40, True)
    assert Window(40, upto=1).clamped(120) == (0, 40, False)  # nothing before the first
    assert Window(40, after=5).clamped(0) == (0, 40, False)  # an empty list
