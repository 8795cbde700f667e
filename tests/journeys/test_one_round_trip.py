"""One round trip per tap: the screen's edit does not wait for the callback answer or for the
deletion of a typed name (bot.telegram.side_calls), and their failures cost nothing recorded;
and one database round trip per step of the flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.core.services import Services
from bot.storage.sqlite import SqliteDatabase, _in_transaction
from bot.telegram.context import BotApp
from tests.support.faketg import FakeTelegram, FakeUser, Faults, Upload
from tests.support.steps import CAMPAIGN, press_action, sign

HOLD = 1.0  # the longest the fake holds an answer back (seconds): only a bound, never awaited


def _errors(app: BotApp, method: str, code: str) -> float:
    value = app.runtime.metrics.registry.get_sample_value(
        "petition_telegram_errors_total", {"method": method, "code": code}
    )
    return value or 0.0


def _typed_texts(user: FakeUser) -> list[str]:
    """What the person typed that is still in their chat."""
    return [str(m.raw.get("text")) for m in user.all_messages if m.raw["from"]["id"] == user.id]


async def test_a_tap_edits_the_screen_before_telegram_answers_the_callback(
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fake holds each answerCallbackQuery until the tap's editMessageText arrived: a bot
    that waits for the answer before editing gets it only when the hold runs out."""
    edits, edits_before_tap = 0, 0
    edited = asyncio.Condition()
    released_by_the_edit: list[bool] = []
    answer_of_telegram = tg.call_async

    async def holding(
        method: str, params: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> tuple[int, dict[str, Any]]:
        nonlocal edits
        if method == "answerCallbackQuery":
            async with edited:
                try:
                    await asyncio.wait_for(edited.wait_for(lambda: edits > edits_before_tap), HOLD)
                    released_by_the_edit.append(True)
                except TimeoutError:
                    released_by_the_edit.append(False)
        elif method == "editMessageText":
            async with edited:
                edits += 1
                edited.notify_all()
        return await answer_of_telegram(method, params, files)

    async def tap(user: FakeUser, action: str) -> None:
        nonlocal edits_before_tap
        edits_before_tap = edits
        await press_action(user, action)

    monkeypatch.setattr(tg, "call_async", holding)
    ada = make_user(first_name="Ada")
    await ada.start(CAMPAIGN)
    await tap(ada, "sign|")
    await ada.send("Ada Lovelace")
    await tap(ada, f"ok|{CAMPAIGN}|1")
    assert released_by_the_edit == [True, True]
    assert "Thank you" in ada.last.text
    assert await svc.db.fetchone("SELECT name, public FROM signatures") == ("Ada Lovelace", 1)


async def test_a_failed_callback_answer_is_counted_and_changes_nothing_recorded(
    app: BotApp, make_user: Callable[..., FakeUser], tg: FakeTelegram, svc: Services
) -> None:
    """Every answer reaches the person but its reply is lost (a timeout): the signature is
    recorded as without the failure, each failure is counted, the typed name is gone."""
    tg.faults = Faults(
        rate=1.0, kinds=("timeout",), timeout_took_effect=1.0, methods=("answerCallbackQuery",)
    )
    bea = make_user(first_name="Bea")
    await sign(bea, "Bea Example")
    tg.faults = None
    assert await svc.db.fetchone("SELECT name, public FROM signatures") == ("Bea Example", 1)
    assert "Thank you" in bea.last.text
    assert not any("Sorry" in m.text for m in bea.messages)
    assert _typed_texts(bea) == [f"/start {CAMPAIGN}"]
    taps = len(tg.calls_to("answerCallbackQuery"))
    assert taps >= 2 and _errors(app, "answerCallbackQuery", "timeout") == taps


async def test_a_failed_deletion_is_counted_and_the_typed_name_still_leaves_the_chat(
    app: BotApp,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Telegram answers the first deletion with a 502: it is counted, made again (a deletion
    cannot duplicate anything), and the signature is recorded as without it."""
    answer_of_telegram = tg.call_async
    failed: list[str] = []

    async def failing_once(
        method: str, params: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> tuple[int, dict[str, Any]]:
        if method == "deleteMessage" and not failed:
            failed.append(method)
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        return await answer_of_telegram(method, params, files)

    monkeypatch.setattr(tg, "call_async", failing_once)
    cy = make_user(first_name="Cy")
    await sign(cy, "Cy Example")
    assert failed and _errors(app, "deleteMessage", "502") == 1
    assert _typed_texts(cy) == [f"/start {CAMPAIGN}"]
    assert await svc.db.fetchone("SELECT name, public FROM signatures") == ("Cy Example", 1)
    assert "Thank you" in cy.last.text


async def test_a_deletion_that_fails_for_good_changes_nothing_recorded(
    app: BotApp, make_user: Callable[..., FakeUser], tg: FakeTelegram, svc: Services
) -> None:
    """Telegram never gets the deletion (a timeout): counted; the flow goes on as usual."""
    tg.faults = Faults(
        rate=1.0, kinds=("timeout",), timeout_took_effect=0.0, methods=("deleteMessage",)
    )
    dora = make_user(first_name="Dora")
    await sign(dora, "Dora Example")
    tg.faults = None
    assert _errors(app, "deleteMessage", "timeout") == 1
    assert await svc.db.fetchone("SELECT name, public FROM signatures") == ("Dora Example", 1)
    assert "Thank you" in dora.last.text


def _counted(execute: Callable[..., Any], trips: list[str]) -> Callable[..., Any]:
    """aiosqlite's hop to its thread, noted: "write" for a write transaction."""

    async def counted(fn: Callable[..., Any], *args: Any) -> Any:
        trips.append("write" if fn is _in_transaction else "read")
        return await execute(fn, *args)

    return counted


async def test_each_signing_step_is_one_database_round_trip(
    make_user: Callable[..., FakeUser], svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/start (the visit, the trail note, the person's language, the card's count), Sign, the
    typed name and the sign button: each one write transaction in one round trip."""
    db = svc.db
    assert isinstance(db, SqliteDatabase)
    trips: list[str] = []  # a hop to a connection's thread, and the writes among them
    for conn in (db.conn, db.reader):
        monkeypatch.setattr(conn, "_execute", _counted(conn._execute, trips))
    ada = make_user(first_name="Ada")
    steps = (
        lambda: ada.start(CAMPAIGN),
        lambda: press_action(ada, "sign|"),
        lambda: ada.send("Ada Lovelace"),
        lambda: press_action(ada, f"ok|{CAMPAIGN}|1"),
    )
    made = []
    for step in steps:
        trips.clear()
        await step()
        made.append((len(trips), trips.count("write")))
    assert made == [(1, 1)] * 4
    assert "Thank you" in ada.last.text
    first = ada.all_messages[0].raw["message_id"]
    assert await svc.db.fetchall("SELECT first_message FROM trail") == [(first,)]


async def test_an_update_that_writes_nothing_still_notes_where_the_conversation_began(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """The trail note an update owes is written as it ends when no transaction carried it."""
    bo = make_user(first_name="Bo")
    await bo.send("/help")
    first = bo.all_messages[0].raw["message_id"]
    assert await svc.db.fetchall("SELECT first_message FROM trail") == [(first,)]
