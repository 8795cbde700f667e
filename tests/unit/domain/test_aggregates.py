"""The small-count rule (bot.domain.aggregates), checked over every small table."""

from __future__ import annotations

import itertools

from bot.domain.aggregates import Below, merge_small, shown

T = 10


def test_a_count_under_the_threshold_is_shown_as_below_it() -> None:
    assert [shown(n, T) for n in (0, 1, 9, 10, 11)] == [Below(T), Below(T), Below(T), 10, 11]


def test_a_row_is_shown_only_when_each_of_its_counts_reaches_the_threshold() -> None:
    table = merge_small({"a": (50, 12), "b": (40, 3), "c": (30, 30), "": (25, 25)}, T, anchor="")
    assert table.rows == [("a", (50, 12)), ("c", (30, 30))]
    assert table.other == (65, 28) and table.members == ["", "b"]


def test_other_takes_the_smallest_rows_until_it_reaches_the_threshold() -> None:
    table = merge_small({"a": (50,), "b": (12,), "c": (11,), "d": (1,)}, T)
    assert table.rows == [("a", (50,)), ("b", (12,))]
    assert table.other == (12,) and table.members == ["c", "d"]
    everything = merge_small({"a": (3,), "b": (4,)}, T)
    assert everything.rows == [] and everything.other == (Below(T),)


def test_totals_minus_the_rows_shown_never_reveal_a_count_under_the_threshold() -> None:
    """Every table of three keys and two columns with counts 0-12: what a reader can compute
    (the total minus every row shown) is "other", and that is 0 (nothing merged) or at
    least the threshold, unless every row is in it."""
    for values in itertools.product((0, 1, 5, 9, 10, 12), repeat=3):
        for second in ((12, 12, 12), values[::-1]):
            cells = {k: (a, b) for k, a, b in zip("xyz", values, second, strict=True)}
            table = merge_small(cells, T)
            for column in (0, 1):
                total = sum(counts[column] for counts in cells.values())
                left = total - sum(counts[column] for _, counts in table.rows)
                assert all(counts[column] >= T for _, counts in table.rows)
                if table.other is None:
                    assert left == 0
                elif table.rows:
                    assert left >= T and table.other[column] == left


def test_a_signature_through_a_small_source_reads_like_one_without_a_link() -> None:
    """Today minus yesterday: Ivan's one signature through his link, or a stranger's without
    one, leave every table the same, whatever the other sources hold."""
    for direct, group, other in itertools.product((0, 3, 9, 10, 30), (0, 8, 12, 40), (0, 2, 11)):
        base = {"": direct, "group": group, "other": other}
        ivan = merge_small({**{k: (v,) for k, v in base.items()}, "ivan": (1,)}, T, anchor="")
        stranger = merge_small(
            {**{k: (v,) for k, v in base.items()}, "": (direct + 1,), "ivan": (0,)}, T, anchor=""
        )
        assert ivan == stranger
