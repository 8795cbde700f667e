"""The state machines written once: broadcast, delivery and review states, their stored
values (the migrations' CHECKs) and their transition tables, and storage obeying them."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path

import pytest

from bot.core import broadcasts, erasure
from bot.core.services import Services
from bot.domain.broadcasts import (
    BROADCAST_MOVES,
    CREATED_AS,
    DELIVERY_MOVES,
    BroadcastKind,
    BroadcastStatus,
    DeliveryStatus,
    moving_to,
)
from bot.domain.review import REVIEW_MOVES, Decision, after
from bot.domain.signatories import Review
from bot.storage import broadcasts as broadcast_store
from bot.storage import signatories as signatory_store
from tests.support.faketg import BOT_ID
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, edit_signature, sign

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"

B, D, R = BroadcastStatus, DeliveryStatus, Review


@pytest.mark.parametrize(
    ("states", "column", "sql_file"),
    [
        (BroadcastStatus, "status", "0002_admin.sql"),
        (BroadcastKind, "kind", "0002_admin.sql"),
        (DeliveryStatus, "status", "0002_admin.sql"),
        (Review, "review", "0008_signatories.sql"),
    ],
)
def test_the_stored_values_are_the_ones_the_migrations_allow(
    states: type[Enum], column: str, sql_file: str
) -> None:
    text = (MIGRATIONS / sql_file).read_text()
    allowed = [  # every CHECK (column IN (...)) of the file, as a set of values
        set(re.findall(r"'([^']*)'", m))
        for m in re.findall(rf"CHECK \({column} IN \(([^)]*)\)\)", text)
    ]
    assert {state.value for state in states} in allowed


def test_broadcast_moves() -> None:
    assert dict(BROADCAST_MOVES) == {
        B.DRAFT: {B.SENDING, B.CANCELLED},
        B.SENDING: {B.DONE},
        B.DONE: set(),
        B.CANCELLED: set(),
    }
    assert moving_to(BROADCAST_MOVES, B.SENDING) == (B.DRAFT,)
    assert moving_to(BROADCAST_MOVES, B.CANCELLED) == (B.DRAFT,)
    assert moving_to(BROADCAST_MOVES, B.DONE) == (B.SENDING,)
    assert moving_to(BROADCAST_MOVES, B.DRAFT) == ()  # a draft is only ever created
    assert [s for s in BroadcastStatus if not BROADCAST_MOVES[s]] == [B.DONE, B.CANCELLED]
    # An admin's message waits for a confirmation; a milestone notice goes at once.
    assert CREATED_AS == {BroadcastKind.MESSAGE: B.DRAFT, BroadcastKind.MILESTONE: B.SENDING}


def test_delivery_moves() -> None:
    assert dict(DELIVERY_MOVES) == {D.PENDING: {D.SENT, D.FAILED}, D.SENT: set(), D.FAILED: set()}
    assert moving_to(DELIVERY_MOVES, D.SENT) == (D.PENDING,)
    assert moving_to(DELIVERY_MOVES, D.FAILED) == (D.PENDING,)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (Decision.APPROVE, {R.WAITING: R.APPROVED, R.APPROVED: R.APPROVED, R.HIDDEN: R.HIDDEN}),
        (Decision.HIDE, {R.WAITING: R.HIDDEN, R.APPROVED: R.HIDDEN, R.HIDDEN: R.HIDDEN}),
        (Decision.UNHIDE, {R.WAITING: R.WAITING, R.APPROVED: R.APPROVED, R.HIDDEN: R.WAITING}),
        (Decision.EDIT, {R.WAITING: R.WAITING, R.APPROVED: R.WAITING, R.HIDDEN: R.HIDDEN}),
    ],
)
def test_review_moves(decision: Decision, expected: dict[Review, Review]) -> None:
    assert {state: after(decision, state) for state in Review} == expected


def test_every_review_decision_has_one_move() -> None:
    assert set(REVIEW_MOVES) == set(Decision)
    assert REVIEW_MOVES[Decision.HIDE].ordered_sources == (R.WAITING, R.APPROVED, R.HIDDEN)


async def _review_of(svc: Services, number: int) -> Review:
    return Review(await svc.db.scalar("SELECT review FROM signatures WHERE number = ?", (number,)))


async def _set_review(svc: Services, number: int, state: Review) -> None:
    await svc.db.execute("UPDATE signatures SET review = ? WHERE number = ?", (state.value, number))


@pytest.mark.parametrize("state", list(Review))
async def test_a_signers_edit_moves_the_review_as_the_table_says(
    state: Review, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    signer = make_user(first_name="E")
    await sign(signer, "Edna Editor")
    await _set_review(svc, 1, state)
    await edit_signature(signer, "Edna Edited")
    assert await _review_of(svc, 1) is after(Decision.EDIT, state)


@pytest.mark.parametrize("state", list(Review))
async def test_hide_and_unhide_move_the_review_as_the_table_says(
    state: Review, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="H"), "Hana Hidden")
    await _set_review(svc, 1, state)
    assert await signatory_store.unhide(svc.db, 1) is (after(Decision.UNHIDE, state) != state)
    assert await _review_of(svc, 1) is after(Decision.UNHIDE, state)
    await _set_review(svc, 1, state)
    assert await signatory_store.hide(svc.db, 1, "admin")
    assert await _review_of(svc, 1) is after(Decision.HIDE, state)


async def _status(svc: Services, broadcast_id: int) -> BroadcastStatus:
    stored = await broadcast_store.get(svc.db, broadcast_id)
    assert stored is not None
    return stored.status


async def test_broadcasts_move_only_along_the_table_and_their_end_is_an_erasure(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    for i in range(2):
        await sign(make_user(first_name=f"S{i}"), f"Subscriber Number{i}", notify=True)
    draft = await broadcast_store.draft_for(svc.db, CAMPAIGN, 7, svc.now())
    await broadcast_store.set_draft_text(svc.db, draft, "en", "News", default=True)
    # A draft cannot end as sent: only a sending broadcast can.
    await erasure.finish_broadcast(svc, draft)
    assert await _status(svc, draft) is B.DRAFT
    assert await broadcast_store.start(svc.db, draft) == 2
    assert await broadcast_store.start(svc.db, draft) is None  # a double tap queues nothing
    assert not await broadcast_store.cancel(svc.db, draft, svc.now())  # too late to cancel
    assert await _status(svc, draft) is B.SENDING
    erased = await erasure.finish_broadcast(svc, draft)
    assert erased == erasure.Erased(2, True)
    done = await broadcast_store.get(svc.db, draft)
    assert done is not None and (done.status, done.admin_id) == (B.DONE, 0)
    assert await svc.db.fetchall("SELECT * FROM deliveries") == []
    assert not await broadcast_store.cancel(svc.db, draft, svc.now())
    assert await _status(svc, draft) is B.DONE


async def test_a_recipient_who_blocked_the_bot_is_erased_and_counted_once(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Gone"), "Gone Away", notify=True)
    draft = await broadcast_store.draft_for(svc.db, CAMPAIGN, 7, svc.now())
    await broadcast_store.set_draft_text(svc.db, draft, "en", "News", default=True)
    assert await broadcast_store.start(svc.db, draft) == 1
    [recipient] = await broadcasts.pending(svc, draft, [BOT_ID])
    assert await erasure.recipient_blocked(svc, draft, recipient) == erasure.Erased(1, True)
    assert await svc.db.fetchall("SELECT * FROM subscriptions") == []
    # A second outcome for the same row is not a move the table allows: counted once.
    await broadcast_store.mark_delivery(svc.db, draft, recipient.subscriber, D.SENT)
    stored = await broadcast_store.get(svc.db, draft)
    assert stored is not None and (stored.sent, stored.failed) == (0, 1)
