"""Telegram failing 10% of calls (429, 5xx, timeouts): no signature lost, none doubled.

The fake answers a tenth of the bot's calls with 429 (retry_after), 502 or a timeout (half of
them after the call took effect). Users behave like people: when the bot's answer does not
come, they press again or send /start. Every user ends with exactly one signature, the bot
keeps serving, and no update is handled twice (redeliveries are dropped).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.storage.signatures import COUNTS
from bot.telegram.context import BotApp
from bot.telegram.middleware import Gatekeeper
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, Faults
from tests.support.harness import Driver, QueuedUser, queued_user
from tests.support.steps import CAMPAIGN

USERS = 60


@pytest.fixture
async def running(
    settings: Settings, tg: FakeTelegram, clock: Clock
) -> AsyncIterator[tuple[BotApp, Driver, Counter[int]]]:
    app = await start_app(settings, tg, clock)
    handled: Counter[int] = Counter()

    async def record(update: Update, context: object) -> None:
        handled[update.update_id] += 1

    app.add_handler(TypeHandler(Update, record), group=100)  # after every real handler
    # Retrying users tap faster than people do; flood control has its own test (test_flood).
    app.runtime.gatekeeper = Gatekeeper(app.runtime.gatekeeper.shared, burst=10_000)
    driver = Driver(app)
    await app.start()
    yield app, driver, handled
    tg.faults = None
    await app.stop()
    await stop_app(app)


def _signed(u: QueuedUser) -> bool:
    if any("Thank you" in m.text or "Signed: " in m.text for m in u.messages):
        return True
    return bool(u.last_answer and "already recorded" in str(u.last_answer.get("text")))


async def _step(u: QueuedUser, n: int) -> None:
    """One action chosen from what the user sees, as a person would."""
    msgs = u.messages
    last = msgs[-1] if msgs else None
    labels = " ".join(label for row in last.buttons for label in row) if last else ""
    text = last.text if last else ""
    if last is None or not labels:
        await u.start(CAMPAIGN)
    elif "Sign with my name" in labels:
        await u.press("Sign with my name")
    elif "Your name" in text:
        await u.send(f"Faulty Person{n}")
    elif "Sign" in labels:
        await u.press("Sign")
    else:
        await u.start(CAMPAIGN)


async def _persist(u: QueuedUser, n: int) -> int:
    for attempt in range(60):
        if _signed(u):
            return attempt
        await _step(u, n)
        if attempt % 4 == 3:
            await u.redeliver()  # Telegram resends what it was not sure we got
    raise AssertionError(f"{u} could not sign; last: {u.messages[-1:]}")


async def test_no_signature_lost_or_doubled_when_telegram_fails(
    running: tuple[BotApp, Driver, Counter[int]], tg: FakeTelegram
) -> None:
    app, driver, handled = running
    tg.faults = Faults(rate=0.1, kinds=("429", "5xx", "timeout"), seed=1)
    users = [queued_user(tg, driver, first_name=f"F{i}") for i in range(USERS)]
    await asyncio.gather(*(_persist(u, i) for i, u in enumerate(users)))
    faults = Counter(c.fault for c in tg.calls if c.fault)
    assert faults["429"] and faults["5xx"] and faults["timeout"], faults

    tg.faults = None  # the bot keeps serving: a newcomer signs normally afterwards
    late = queued_user(tg, driver, first_name="Late")
    await _persist(late, USERS)

    svc = app.runtime.services
    rows = await svc.db.scalar("SELECT COUNT(*) FROM signatures")
    counter = await svc.db.scalar(f"SELECT SUM(signatures) FROM {COUNTS} AS counts", (), 0)
    assert rows == counter == USERS + 1
    doubles = await svc.db.fetchall(
        "SELECT signer FROM signatures GROUP BY campaign, signer HAVING COUNT(*) > 1"
    )
    assert doubles == []
    assert handled and max(handled.values()) == 1  # no update handled twice
    # A query stays unanswered only when the answer itself was the call that failed.
    unanswered = [v for v in tg.violations if v.startswith("callback query not answered")]
    failed_answers = [c for c in tg.calls_to("answerCallbackQuery") if c.fault]
    assert len(unanswered) <= len(failed_answers)
    assert [v for v in tg.violations if v not in unanswered] == []
