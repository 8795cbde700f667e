"""/broadcast and milestone notices: who gets them, once, at a steady rate, across restarts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import Settings
from bot.core.services import Services
from bot.telegram import broadcast
from bot.telegram.context import BotApp
from tests.conftest import BOTH_BACKENDS, Clock, start_app, stop_app
from tests.support.admin import (
    NEWS,
    broadcast_reply,
    confirmed_broadcast,
    messages_with,
    stop_after,
    write_news,
)
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

pytestmark = BOTH_BACKENDS

SENT = "the hearing is on Monday"  # as found in the HTML sent


async def _subscribers(make_user: Callable[..., FakeUser], n: int) -> list[FakeUser]:
    users = []
    for i in range(n):
        user = make_user(first_name=f"Sub{i}")
        await sign(user, f"Subscriber Number{i}", notify=True)
        users.append(user)
    return users


async def test_broadcast_preview_confirm_reaches_each_subscriber_once(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    subscribers = await _subscribers(make_user, 3)
    bystander = make_user(first_name="Quiet")
    await sign(bystander, "Quiet Person")
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    preview = admin.messages[-2]
    assert preview.text.endswith(NEWS) and preview.html.endswith("<b>Big news</b>" + NEWS[8:])
    assert "will go to 3 subscribers" in admin.last.text
    assert messages_with(tg, subscribers[0].id, SENT) == []  # nothing before confirming
    await admin.press("Confirm")
    await app.runtime.broadcaster.join()
    for user in subscribers:
        [sent] = messages_with(tg, user.id, SENT)
        assert "\n\n<b>Big news</b>" in sent["text"]
    assert messages_with(tg, bystander.id, SENT) == []
    assert "The broadcast is finished: 3 sent, 0 failed." in admin.last.text
    row = await svc.db.fetchone("SELECT status, sent, failed FROM broadcasts")
    assert row == ("done", 3, 0)
    assert await svc.db.fetchall("SELECT * FROM deliveries") == []  # raw chat ids gone


async def test_broadcast_cancel_sends_nothing(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    [user] = await _subscribers(make_user, 1)
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    await admin.press("Cancel")
    assert "cancelled" in admin.last.text
    await app.runtime.broadcaster.join()
    assert messages_with(tg, user.id, SENT) == []


async def test_broadcast_needs_a_reply(admin: FakeUser) -> None:
    await admin.send(f"/broadcast {CAMPAIGN}")
    assert "reply to the message you want to send" in admin.last.text


async def test_double_tapped_confirm_sends_once(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    [user] = await _subscribers(make_user, 1)
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    await admin.double_tap("Confirm")
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, user.id, SENT)) == 1


async def test_forged_confirm_from_a_non_admin_sends_nothing(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    [user] = await _subscribers(make_user, 1)
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    broadcast_id = await svc.db.scalar("SELECT id FROM broadcasts")
    await user.press_data(f"1|bc|{broadcast_id}", user.last)
    await app.runtime.broadcaster.join()
    assert messages_with(tg, user.id, SENT) == []
    assert await svc.db.scalar("SELECT status FROM broadcasts") == "draft"


async def test_blocked_bot_erases_the_subscription(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    first, gone, last = await _subscribers(make_user, 3)
    tg.block_bot(gone.id)
    await confirmed_broadcast(admin)
    await app.runtime.broadcaster.join()
    assert "3 sent" not in admin.last.text and "2 sent, 1 failed" in admin.last.text
    kept = await svc.db.fetchall("SELECT chat FROM subscriptions WHERE campaign = ?", (CAMPAIGN,))
    opened = sorted(svc.ids.unseal_chat(r[0]) or 0 for r in kept)
    assert opened == sorted([first.id, last.id])  # the blocked one's sealed id went at once
    # The next broadcast does not try them again.
    await confirmed_broadcast(admin)
    await app.runtime.broadcaster.join()
    assert "2 sent, 0 failed" in admin.last.text
    assert len(messages_with(tg, first.id, SENT)) == 2


async def test_interrupted_broadcast_resumes_after_restart_without_repeats(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
    clock: Clock,
) -> None:
    subscribers = await _subscribers(make_user, 6)
    runner = app.runtime.broadcaster
    stop_after(runner, 3)
    await confirmed_broadcast(admin)
    await runner.join()
    received = [len(messages_with(tg, u.id, SENT)) for u in subscribers]
    assert sorted(received) == [0, 0, 0, 1, 1, 1]
    settings: Settings = svc.settings
    await stop_app(app)

    restarted = await start_app(settings, tg, clock)  # opening resumes the broadcast
    try:
        await restarted.runtime.broadcaster.join()
        assert [len(messages_with(tg, u.id, SENT)) for u in subscribers] == [1] * 6
        db = restarted.runtime.services.db
        assert await db.fetchone("SELECT status, sent, failed FROM broadcasts") == ("done", 6, 0)
        assert await db.fetchall("SELECT * FROM deliveries") == []
        assert "The broadcast is finished: 6 sent, 0 failed." in admin.last.text
    finally:
        await stop_app(restarted)


async def test_sending_respects_the_broadcast_rate(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await _subscribers(make_user, 6)
    now = [0.0]  # a virtual clock: the pace is checked without timing the test

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    runner = app.runtime.broadcaster
    runner._pacer = broadcast.Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    await confirmed_broadcast(admin)
    await runner.join()
    assert now[0] == pytest.approx(0.5)  # 6 messages at 10 a second: 5 gaps of 0.1 s


async def test_milestone_notice_goes_to_subscribers_in_their_language(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    await admin.send(f"/goal {CAMPAIGN} ladder 3,10")
    english = make_user(first_name="Eng")
    await sign(english, "English Speaker", notify=True)
    russian = make_user(first_name="Рус", language_code="ru")
    await sign(russian, "Русский Читатель", notify=True)
    quiet = make_user(first_name="Quiet")
    await sign(quiet, "Quiet Person")  # the third signature: goal 3 reached
    await app.runtime.broadcaster.join()
    [to_english] = messages_with(tg, english.id, "🎉")
    assert "has reached 3 signatures! Next goal: 10." in to_english["text"]
    [to_russian] = messages_with(tg, russian.id, "🎉")
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None
    assert campaign.texts["ru"].title in to_russian["text"]
    assert messages_with(tg, quiet.id, "🎉") == []
    assert await svc.db.fetchone("SELECT kind, status, sent FROM broadcasts") == (
        "milestone",
        "done",
        2,
    )
    await sign(make_user(first_name="Four"), "Fourth Person")
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, english.id, "🎉")) == 1  # once per goal step


async def test_progress_message_is_edited_while_sending(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _subscribers(make_user, 3)
    monkeypatch.setattr(broadcast, "PROGRESS_EVERY", 0.0)
    await confirmed_broadcast(admin)
    await app.runtime.broadcaster.join()
    edits = [c.params["text"] for c in tg.calls_to("editMessageText", chat_id=admin.id) if c.ok]
    assert any("sent, 0 failed so far" in text for text in edits)
    assert edits[-1] == "The broadcast is finished: 3 sent, 0 failed."
