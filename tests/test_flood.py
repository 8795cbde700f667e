"""One person flooding the bot is throttled with a single notice; everyone else is served.

Counts, not timings: the flooder gets at most the burst allowance of replies plus exactly one
"too fast" notice, and every other user still gets each of their replies.
"""

from __future__ import annotations

import asyncio
import time

from bench.harness import Driver, QueuedUser, queued_user
from bot.middleware import Gatekeeper
from bot.services import BotApp
from tests.faketg import FakeTelegram
from tests.journeys import sign

FLOOD = 400
OTHERS = 30
NOTICE = "You are sending messages too fast"


def replies(tg: FakeTelegram, user: QueuedUser) -> list[str]:
    return [str(c.params.get("text", "")) for c in tg.calls_to("sendMessage", user.id) if c.ok]


async def test_flooder_gets_one_notice_and_others_are_served(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    app, driver = running
    keeper: Gatekeeper = app.bot_data["gatekeeper"]
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
    assert len(got) <= allowance, (len(got), allowance)
    for u in others:
        texts = replies(tg, u)
        assert not any(NOTICE in text for text in texts)
        assert sum("What I can do" in text for text in texts) == 2
        assert any("Thank you" in m.text for m in u.messages)
    svc = app.bot_data["services"]
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == OTHERS
    tg.assert_no_violations()


async def test_flood_of_button_presses_is_answered_but_not_acted_on(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """Throttled presses still get answerCallbackQuery (no endless spinner), nothing else."""
    _, driver = running
    u = queued_user(tg, driver, first_name="Tapper")
    await u.start("medical-access")
    card = u.last
    await asyncio.gather(*(u.press("Read the full text", card) for _ in range(120)))
    answered = [c for c in tg.calls_to("answerCallbackQuery") if c.ok]
    assert len(answered) >= 120
    assert sum(NOTICE in text for text in replies(tg, u)) == 1
    edits = tg.calls_to("editMessageText", u.id)
    assert len(edits) <= 40
    tg.assert_no_violations()
