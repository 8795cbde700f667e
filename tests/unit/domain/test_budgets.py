"""The organisers' hourly budgets and what a moderation preview may show: the pure rules."""

from __future__ import annotations

import pytest

from bot.domain.budgets import WINDOW, Spent, Verdict, spend
from bot.domain.signatories import Review
from bot.domain.signatures import Preview, Signature


def test_a_budget_admits_the_limit_then_refuses_and_announces_once() -> None:
    spent = Spent()
    for second in range(3):
        decision = spend(spent, 1000 + second, limit=3)
        assert decision.admitted
        spent = decision.spent
    refused = spend(spent, 1100, limit=3)
    assert refused.verdict is Verdict.REFUSED_FIRST
    assert refused.retry_after == WINDOW - 100
    again = spend(refused.spent, 1200, limit=3)
    assert again.verdict is Verdict.REFUSED  # refusals do not count, nor announce twice
    assert again.spent.times == (1000, 1001, 1002)
    freed = spend(again.spent, 1000 + WINDOW, limit=3)  # the first action left the window
    assert freed.admitted and freed.spent.times == (1001, 1002, 1000 + WINDOW)
    assert spend(freed.spent, 1001 + WINDOW + 1, limit=3).admitted
    # Running out again after it freed up is announced again.
    assert spend(freed.spent, 1000 + WINDOW, limit=3).verdict is Verdict.REFUSED_FIRST


def _signature(public: bool, review: Review) -> Signature:
    return Signature(7, "c", "Ann One", "Judge", "Court", public, "en", 100, review=review)


@pytest.mark.parametrize(
    ("public", "review", "shown"),
    [
        (True, Review.WAITING, True),
        (True, Review.APPROVED, True),
        (True, Review.HIDDEN, False),
        (False, Review.WAITING, False),
        (False, Review.APPROVED, False),
    ],
)
def test_a_preview_shows_a_name_only_when_its_signer_made_it_public_and_nobody_hid_it(
    public: bool, review: Review, shown: bool
) -> None:
    preview = Preview.of(_signature(public, review))
    assert (preview.number, preview.signed_at, preview.public, preview.review) == (
        7,
        100,
        public,
        review,
    )
    named = (preview.name, preview.role, preview.organisation)
    assert named == (("Ann One", "Judge", "Court") if shown else (None, None, None))
