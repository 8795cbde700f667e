"""One person flooding the bot is throttled with a single notice; everyone else is served.

Counts and orderings, not timings: the flooder gets at most their allowance of replies plus
exactly one "too fast" notice, the excess costs no Bot API call at all (a dropped press is left
unanswered), and a backlog queued ahead of everyone else does not make them wait for it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import TypeHandler

from bot.core.workers import Shared
from bot.domain.costs import Verdict
from bot.telegram.context import BotApp
from bot.telegram.middleware import Gatekeeper, PerUserProcessor
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, LeanUser, QueuedUser, queued_user
from tests.support.steps import CAMPAIGN, sign

FLOOD = 400
OTHERS = 30
NOTICE = "You are sending messages too fast"
LATENCY = 0.02  # what a Bot API call takes from a server near Telegram's


def replies(tg: FakeTelegram, user: QueuedUser | LeanUser) -> list[str]:
    return [str(c.params.get("text", "")) for c in tg.calls_to("sendMessage", user.id) if c.ok]


def queries_of(tg: FakeTelegram, user: LeanUser) -> list[dict[str, Any]]:
    """The user's callback queries in the order they were pressed."""
    with tg.lock:
        return [dict(q) for q in tg.callback_queries.values() if q["user_id"] == user.id]


def button_data(message: dict[str, Any], label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(str(b["callback_data"]) for row in rows for b in row if label in b["text"])


async def open_card(
    tg: FakeTelegram, driver: Driver, name: str
) -> tuple[LeanUser, dict[str, Any], str]:
    """A user who sees the campaign card; LeanUser presses without waiting for an answer."""
    user = LeanUser(tg, driver, name)
    await user.send(f"/start {CAMPAIGN}")
    card = user.last_bot_message()
    return user, card, button_data(card, "Read the full text")


async def test_flooder_gets_one_notice_and_others_are_served(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    app, driver = running
    keeper: Gatekeeper = app.runtime.gatekeeper
    flooder = queued_user(tg, driver, first_name="Flo")
    others = [queued_user(tg, driver, first_name=f"O{i}") for i in range(OTHERS)]

    async def flood() -> None:
        texts = [flooder.send(f"spam {i}") for i in range(FLOOD // 2)]
        commands = [flooder.send("/help") for _ in range(FLOOD // 2)]
        await asyncio.gather(*texts, *commands)

    async def normal(u: QueuedUser) -> None:
        await u.send("/help")
        await sign(u, name=f"Other Person{u.id}")
        await u.send("/help")

    started = time.monotonic()
    await asyncio.gather(flood(), *(normal(u) for u in others))
    elapsed = time.monotonic() - started

    got = replies(tg, flooder)
    assert sum(NOTICE in text for text in got) == 1
    allowance = keeper._burst + keeper._rate * elapsed + 1  # burst, refill, the notice
    assert len(got) <= min(allowance, keeper._max_queued + 1), (len(got), allowance)
    for u in others:
        texts = replies(tg, u)
        assert not any(NOTICE in text for text in texts)
        assert sum("What I can do" in text for text in texts) == 2
        assert any("Thank you" in m.text for m in u.messages)
    svc = app.runtime.services
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == OTHERS
    tg.assert_no_violations()


async def test_flood_of_button_presses_is_left_unanswered_and_not_acted_on(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """Presses beyond the queue cap make no Bot API call: no answer, no edit, one notice."""
    app, driver = running
    keeper: Gatekeeper = app.runtime.gatekeeper
    tapper, card, data = await open_card(tg, driver, "Tapper")
    tg.latency = LATENCY  # the first press is still being handled when the others arrive
    calls_before = len(tg.calls)
    await asyncio.gather(*(tapper.press_data(data, card) for _ in range(120)))

    queries = queries_of(tg, tapper)
    assert len(queries) == 120
    answered = [q["answered"] for q in queries]
    assert answered == [True] * keeper._max_queued + [False] * (120 - keeper._max_queued)
    new_calls = tg.calls[calls_before:]
    assert sum(c.method == "answerCallbackQuery" for c in new_calls) == keeper._max_queued
    assert len(tg.calls_to("editMessageText", tapper.id)) <= keeper._max_queued
    assert sum(NOTICE in text for text in replies(tg, tapper)) == 1
    assert len(new_calls) <= 2 * keeper._max_queued + 1  # answer + edit each, the notice
    tg.assert_no_violations()


async def test_presses_within_the_allowance_are_all_answered(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """On a virtual clock: the whole burst is answered, then one per refill; one notice a flood."""
    app, driver = running
    tapper, card, data = await open_card(tg, driver, "Steady")
    svc = app.runtime.services
    keeper = Gatekeeper(Shared(svc.db, svc.settings.signer_key, lambda: now[0]))
    now = [svc.clock() + keeper._burst / keeper._rate]  # the bucket /start drew on is full
    app.runtime.gatekeeper = keeper

    async def press() -> bool:
        await tapper.press_data(data, card)  # one at a time: the queue cap never binds
        return bool(queries_of(tg, tapper)[-1]["answered"])

    def notices() -> int:
        return sum(NOTICE in text for text in replies(tg, tapper))

    assert [await press() for _ in range(keeper._burst)] == [True] * keeper._burst
    assert notices() == 0
    assert [await press(), await press()] == [False, False]
    assert notices() == 1
    now[0] += 1 / keeper._rate  # one press worth of refill: still the same flood
    assert [await press(), await press()] == [True, False]
    assert notices() == 1
    now[0] += keeper._burst / keeper._rate  # calm for long enough: the flood is over
    assert [await press() for _ in range(keeper._burst)] == [True] * keeper._burst
    assert await press() is False
    assert notices() == 2
    tg.assert_no_violations()


async def test_flood_queued_ahead_of_everyone_does_not_delay_them(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """600 presses and messages queued before 30 other people, each Bot API call taking 20 ms.

    Ordering, not timing: `started` lists whose update reached the handlers, in order. Every
    other person's update must start after at most the flooder's capped handful, although 600
    of the flooder's were queued ahead. (Before the cap and our own semaphore, PTB's 256 slots
    were all held by the backlog and the others started only after ~350 flood updates.)
    """
    app, driver = running
    keeper: Gatekeeper = app.runtime.gatekeeper
    started: list[int] = []

    async def record(update: Update, context: object) -> None:
        if update.effective_user is not None:
            started.append(update.effective_user.id)

    app.add_handler(TypeHandler(Update, record), group=-2)  # before the gate
    flooder, card, data = await open_card(tg, driver, "Flo")
    others = [queued_user(tg, driver, first_name=f"O{i}") for i in range(OTHERS)]
    tg.latency = LATENCY
    started.clear()

    def flood_update(i: int) -> Coroutine[Any, Any, None]:
        return flooder.press_data(data, card) if i % 2 else flooder.send(f"spam {i}")

    flood = [asyncio.create_task(flood_update(i)) for i in range(600)]
    await asyncio.sleep(0)  # every flood task has queued its update
    assert app.update_queue.qsize() == 600  # all of them wait ahead of everyone else

    async def visit(u: QueuedUser) -> None:
        await u.start(CAMPAIGN)
        await u.press("Read the full text")

    await asyncio.gather(*(visit(u) for u in others))
    await asyncio.gather(*flood)

    ahead = [started[:i].count(flooder.id) for i, uid in enumerate(started) if uid != flooder.id]
    assert len(ahead) == 2 * OTHERS
    assert max(ahead) <= keeper._max_queued + 1, max(ahead)
    assert started.count(flooder.id) <= keeper._max_queued + 1  # the rest was never handled
    for u in others:
        assert u.last_answer is not None  # their press was answered
        assert any(c.ok for c in tg.calls_to("editMessageText", u.id))  # and acted on
    assert sum(q["answered"] for q in queries_of(tg, flooder)) <= keeper._max_queued
    assert sum(NOTICE in text for text in replies(tg, flooder)) == 1
    tg.assert_no_violations()


# -- the processor on its own: ordering and dropping without the bot around it ---------------

FLOODER = 1000


class _Services:
    def __init__(self, admins: frozenset[int] = frozenset()) -> None:
        self.admins = admins

    def level(self, user_id: int | None) -> str | None:
        return "admin" if user_id in self.admins else None


class _Instant:
    """The workers' side as the processor sees it, without a database: a queue-cap refusal
    (asked for more than the burst) gets the notice once, then drops; all else runs. The
    flood rule itself is tested above, through the real database."""

    def __init__(self) -> None:
        self.warned: set[int] = set()

    async def admit(self, telegram_id: int, cost: float, burst: float, rate: float) -> Verdict:
        if cost <= burst:
            return Verdict.RUN
        if telegram_id in self.warned:
            return Verdict.DROP
        self.warned.add(telegram_id)
        return Verdict.NOTICE

    @asynccontextmanager
    async def turn(self, telegram_id: int, update_id: int) -> AsyncIterator[bool]:
        yield True


@pytest.fixture
def shared() -> Shared:
    return _Instant()  # type: ignore[return-value]


def _processor(
    limit: int, keeper: Gatekeeper, admins: frozenset[int] = frozenset()
) -> PerUserProcessor:
    runtime = SimpleNamespace(services=_Services(admins), gatekeeper=keeper)
    return PerUserProcessor(limit, runtime=lambda: runtime)  # type: ignore[arg-type, return-value]


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "P", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat, from_user=user))


async def test_a_backlog_waits_on_its_own_lock_not_on_everyones_slots(shared: Shared) -> None:
    """Two slots, 50 of one person's updates ahead of three others: the others run at once."""
    processor = _processor(2, Gatekeeper(shared, burst=10_000, max_queued=10_000))
    started: list[int] = []
    running: list[int] = []
    peak = 0

    async def work(user_id: int) -> None:
        nonlocal peak
        assert user_id not in running  # one person's updates never overlap
        started.append(user_id)
        running.append(user_id)
        peak = max(peak, len(running))
        for _ in range(3):
            await asyncio.sleep(0)
        running.remove(user_id)

    senders = [FLOODER] * 50 + [1, 2, 3]
    await asyncio.gather(
        *(processor.process_update(_update(n, uid), work(uid)) for n, uid in enumerate(senders))
    )
    assert peak == 2  # our own limit holds although PTB's no longer binds
    third_flood = [i for i, uid in enumerate(started) if uid == FLOODER][2]
    assert all(started.index(uid) < third_flood for uid in (1, 2, 3)), started


async def test_dropped_updates_are_closed_unrun_and_one_carries_the_notice(
    shared: Shared,
) -> None:
    keeper = Gatekeeper(shared, max_queued=2)
    processor = _processor(256, keeper)
    ran: list[int] = []

    async def work(n: int) -> None:
        ran.append(n)
        await asyncio.sleep(0)

    coroutines = [work(n) for n in range(8)]
    await asyncio.gather(
        *(processor.process_update(_update(n, FLOODER), c) for n, c in enumerate(coroutines))
    )
    assert ran == [0, 1, 2]  # two within the cap, the third only to carry the notice
    assert all(inspect.getcoroutinestate(c) == inspect.CORO_CLOSED for c in coroutines)
    assert [keeper.take_notice(n) for n in range(8)] == [False, False, True] + [False] * 5


async def test_admins_are_never_throttled(shared: Shared) -> None:
    keeper = Gatekeeper(shared, burst=1, max_queued=1)
    processor = _processor(256, keeper, admins=frozenset({FLOODER}))
    ran: list[int] = []

    async def work(n: int) -> None:
        ran.append(n)
        await asyncio.sleep(0)

    await asyncio.gather(
        *(processor.process_update(_update(n, FLOODER), work(n)) for n in range(8))
    )
    assert ran == list(range(8))
