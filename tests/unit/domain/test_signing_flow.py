"""The signing state machine: which tap is accepted at which step, and compare-and-set drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core import drafts, signing
from bot.core.services import Services
from bot.domain import flow
from bot.domain.flow import Action
from bot.domain.signatures import Draft, Step
from tests.conftest import Clock
from tests.support.faketg import BOT_ID, FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign


def _answers(user: FakeUser) -> list[dict[str, Any]]:
    """Every callback query of `user` the bot answered."""
    queries = user.fake.callback_queries.values()
    return [q for q in queries if q["user_id"] == user.id and q["answered"]]


async def test_a_draft_past_its_lifetime_does_not_block_a_new_signing(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    """The expiry job runs every 10 minutes; until it does, an old draft is no draft."""
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Old Draft Name")
    clock.advance(svc.settings.draft_ttl_hours * 3600 + 1)
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Fresh Draft Name")
    assert "Fresh Draft Name" in u.last.text  # the preview, not "send /start"
    stored = await svc.db.fetchall("SELECT name, step FROM drafts")
    assert stored == [("Fresh Draft Name", "preview")]


# What each action leads to at each step: the step, "end" (the draft ends: recorded or
# cancelled) or "-" (not accepted: a stale or out-of-order tap, which changes nothing).
GRID = """
           sign     pname    noname   extras   back     ok       edit     cancel   text
  visit    name     -        -        -        -        -        name     end      -
  name     name     preview  end      -        -        -        name     end      preview
  preview  preview  -        -        extras   -        end      name     end      preview
  extras   extras   -        -        -        preview  -        name     end      preview
"""


def _grid() -> dict[tuple[Step, Action], Step | str | None]:
    header, *rows = [line.split() for line in GRID.strip().splitlines()]
    leads: dict[tuple[Step, Action], Step | str | None] = {}
    for step, *cells in rows:
        for action, cell in zip(header, cells, strict=True):
            leads[Step(step), Action(action)] = {"-": "-", "end": None}.get(cell, cell)
    return leads


def test_the_flow_table_answers_every_step_and_action_as_specified() -> None:
    grid = _grid()
    assert len(grid) == len(Step) * len(Action)  # every pair, none forgotten
    for (step, action), leads in grid.items():
        assert flow.accepts(step, action) is (leads != "-"), (step, action)
        if leads != "-":
            assert flow.FLOW[step][action] == (None if leads is None else Step(str(leads)))


async def test_a_tap_the_table_refuses_changes_nothing_and_says_so(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Tapped Twice")
    preview = u.last  # the flow message, edited into the preview
    sign_data = next(d for d in preview.callback_data.values() if d.startswith("1|ok|"))
    await press_action(u, f"extras|{CAMPAIGN}")  # the preview's message now asks for extras
    await u.press_data(sign_data, preview)  # a sign button of the preview, out of order
    assert (u.last_answer or {}).get("text") == "This step is already done."
    assert await svc.db.fetchall("SELECT step, name FROM drafts") == [("extras", "Tapped Twice")]
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 0


async def _at_preview(u: FakeUser, svc: Services, name: str) -> Draft:
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send(name)
    seen = await drafts.live(svc, svc.person(u.id))
    assert seen is not None and seen.step is Step.PREVIEW
    return seen


async def test_a_change_computed_from_an_older_draft_cannot_overwrite_a_newer_one(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    seen = await _at_preview(u, svc, "First Spelling")
    await u.send("Second Spelling")  # typed again at the preview, in the same second
    newer = await drafts.live(svc, svc.person(u.id))
    assert newer is not None and (newer.step, newer.updated_at) == (seen.step, seen.updated_at)
    assert not await drafts.write_if(svc, seen, flow.moved(seen, Action.EXTRAS, svc.now()))
    assert await drafts.live(svc, svc.person(u.id)) == newer


async def test_an_edit_that_read_an_older_draft_shows_the_newer_one_and_keeps_it(
    make_user: Callable[..., FakeUser], svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Edit tap read the draft, then typed text changed it before the tap wrote."""
    u = make_user()
    seen = await _at_preview(u, svc, "First Spelling")
    await u.send("Second Spelling")
    newer = await drafts.live(svc, svc.person(u.id))
    real = drafts.live
    reads = iter([seen])

    async def read_once_before(svc: Services, person: str) -> Draft | None:
        return next(reads, None) or await real(svc, person)

    monkeypatch.setattr(drafts, "live", read_once_before)
    tap = await signing.edit(svc, u.id, BOT_ID, CAMPAIGN, None)
    assert (tap.outcome, tap.draft) == (signing.Outcome.AT_STEP, newer)
    assert await real(svc, svc.person(u.id)) == newer


@pytest.mark.parametrize("label", ["Add role and organisation", "Sign with my name"])
async def test_a_double_tap_moves_the_draft_once(
    make_user: Callable[..., FakeUser], svc: Services, label: str
) -> None:
    u = make_user()
    await _at_preview(u, svc, "Double Tapper")
    await u.double_tap(label)
    signatures = await svc.db.scalar("SELECT COUNT(*) FROM signatures")
    drafts_left = await svc.db.fetchall("SELECT step, name FROM drafts")
    if label.startswith("Sign"):
        assert (signatures, drafts_left) == (1, [])
    else:
        assert (signatures, drafts_left) == (0, [("extras", "Double Tapper")])
    answers = [q["answer"].get("text") for q in _answers(u)]
    assert (
        answers.count("This step is already done.")
        + answers.count("Your signature is already recorded.")
        == 1
    )


async def test_a_double_tapped_edit_makes_one_draft_from_the_signature(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await sign(u, "Edited Once")
    await u.send("/mysignature")
    await u.double_tap("Edit")
    stored = await svc.db.fetchall("SELECT step, name, editing FROM drafts")
    assert stored == [("name", "Edited Once", 1)]
