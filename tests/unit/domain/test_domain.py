"""Goals, text rules, paging, deep links and callback data: the pure rules."""

from __future__ import annotations

import pytest

from bot.domain import deeplinks, goals
from bot.domain.paging import paginate, utf16_len
from bot.domain.text_rules import Problem, check_name, check_optional, clean
from bot.telegram import callbacks


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 100), (99, 100), (100, 250), (13_154, 15_000), (999_999, 1_000_000),
     (1_000_000, 1_500_000), (1_500_000, 2_300_000)],
)  # fmt: skip
def test_next_goal_default_ladder(count: int, expected: int) -> None:
    assert goals.DEFAULT_LADDER.next_above(count) == expected


def test_next_goal_campaign_ladder_then_grows() -> None:
    ladder = goals.GoalLadder((500, 1000))
    assert ladder.next_above(10) == 500
    assert ladder.next_above(1000) == 1500
    assert ladder.reached(499) is None
    assert ladder.reached(500) == 500


def test_a_goal_is_announced_once_when_passed_even_if_no_signer_saw_it_exactly() -> None:
    """Signers at the same moment may each see a count one past a goal (PostgreSQL)."""
    ladder = goals.GoalLadder((500, 1000))
    assert ladder.passed(499, 0) is None
    assert ladder.passed(501, 0) == 500  # nobody saw 500
    assert ladder.passed(502, 500) is None  # announced already
    assert ladder.passed(1000, 500) == 1000
    with_next = ladder.with_override(620)
    assert with_next.passed(619, 500) is None
    assert with_next.passed(621, 500) == 620
    assert with_next.passed(622, 620) is None


def test_progress_bar() -> None:
    assert goals.progress_bar(50, 100) == "▰" * 5 + "▱" * 5
    assert goals.percent(13_154, 15_000) == "88"  # 87.7 %, rounded
    assert goals.progress_bar(1, 500) == "▰" + "▱" * 9  # the first signature shows
    assert goals.percent(1, 500) == "<1" and goals.percent(0, 500) == "0"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  Alice   Smith ", "Alice Smith"),
        ("Ali\u202ece", "Alice"),  # bidi override removed
        ("Al\u200bice", "Alice"),  # zero-width space removed
        ("Ａｌｉｃｅ", "Alice"),  # full-width letters are the one compatibility folding
        ("Школа №1, Мінск", "Школа №1, Мінск"),  # what people wrote: not "No1"
        ("ﬁrst 2² ½", "ﬁrst 2² ½"),  # ligatures, superscripts and fractions stay
        ("Zoe\u0308", "Zo\u00eb"),  # canonical composition (NFC)
        ("Alice\nSmith\t", "Alice Smith"),
    ],
)
def test_clean(raw: str, value: str) -> None:
    assert clean(raw) == value


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("\u200b\u202e", Problem.EMPTY),
        ("A", Problem.TOO_SHORT),
        ("x" * 81, Problem.TOO_LONG),
        ("12345", Problem.NO_LETTER),
        ("🙂🙂🙂", Problem.NO_LETTER),
        ("see https://spam.example", Problem.LINK),
        ("visit t.me/spam", Problem.LINK),
        ("cheap.com deals", Problem.LINK),
        ("ping @someone", Problem.MENTION),
        ("visit ｔ.ｍｅ/spam", Problem.LINK),  # full-width
        ("visit \U0001d42d.me/spam", Problem.LINK),  # mathematical bold t: NFKC finds it
        ("Z\u0336\u0322\u031ba\u0335lgo Text", Problem.STACKED_MARKS),
        ("An\u0337\u0337na", Problem.STACKED_MARKS),  # one mark twice
        ("Olg\u0430 Sokolova", Problem.MIXED_SCRIPTS),  # a Cyrillic "а" in a Latin word
        ("\u0406van Petrov", Problem.MIXED_SCRIPTS),  # a Cyrillic "І"
    ],
)
def test_name_rejections(raw: str, problem: Problem) -> None:
    assert check_name(raw).problem is problem


@pytest.mark.parametrize(
    "name",
    [
        "Алесь Бяляцкі",
        "J. R. R. Tolkien",
        "محمد",
        "Zoë O'Brien-Łukasz 🙂",
        "<b>Bob</b>",
        "Nguyễn Thị Bích",  # Vietnamese: two marks on one letter
        "Иванов-Smith",  # two scripts, each word in one
        "山田 はなこ",  # Han and Hiragana share Japanese words
    ],
)
def test_names_accepted(name: str) -> None:
    assert check_name(name).ok


def test_optional_fields() -> None:
    assert check_optional("x" * 120).ok
    assert check_optional("x" * 121).problem is Problem.TOO_LONG
    assert check_optional("  ").problem is Problem.EMPTY


def test_paginate_respects_budget_and_paragraphs() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 150 for i in range(20)]
    pages = paginate(paragraphs, budget=2000)
    assert len(pages) > 5
    assert all(utf16_len(p) <= 2000 for p in pages)
    assert "\n\n".join(pages).split("\n\n") == paragraphs  # nothing split mid-paragraph
    joined = " ".join(pages)
    assert all(f"Paragraph {i}." in joined for i in range(20))


def test_paginate_splits_a_giant_paragraph() -> None:
    pages = paginate(["Sentence number one. " * 500], budget=1000)
    assert all(utf16_len(p) <= 1000 for p in pages)
    assert len(pages) >= 10


def test_paginate_counts_utf16() -> None:
    pages = paginate(["😀" * 600], budget=1000)  # 1,200 UTF-16 units
    assert len(pages) == 2
    assert all(utf16_len(p) <= 1000 for p in pages)


@pytest.mark.parametrize(
    ("payload", "decoded"),
    [
        ("medical-access", ("medical-access", None)),
        ("medical-access_gAb3", ("medical-access", "gAb3")),
        ("Medical", ("medical", None)),  # the slug part is case-insensitive
        ("MEDICAL-ACCESS_gAb3", ("medical-access", "gAb3")),  # the source keeps its case
        ("a" * 65, None),
        ("medical-access_bad!", None),
        ("medical-access_", ("medical-access", None)),
        ("", None),
    ],
)
def test_deeplink_decode(payload: str, decoded: tuple[str, str | None] | None) -> None:
    assert deeplinks.decode(payload) == decoded


def test_deeplink_link() -> None:
    assert deeplinks.link("PetBot", "x-y", "g1") == "https://t.me/PetBot?start=x-y_g1"


def test_callback_roundtrip_and_rejections() -> None:
    data = callbacks.encode("page", "medical-access", 3)
    assert callbacks.decode(data) == callbacks.Callback("page", ("medical-access", "3"))
    assert len(data.encode()) <= 64
    for forged in [
        "",
        "2|page|x|1",
        "1|nope",
        "1|page|x",
        "1|page|X|1",
        "1|rm|-1",
        "1|" + "a" * 70,
    ]:
        assert callbacks.decode(forged) is None
    with pytest.raises(ValueError):
        callbacks.encode("page", "Bad Slug", 1)
