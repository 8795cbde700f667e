"""Updates a person can stop from the update itself, and that a lock screen does not betray.

Every broadcast and milestone notice carries "Stop updates": one tap erases that campaign's
subscription (its sealed chat id and pending deliveries) for whoever pressed it, whatever the
button says. "Leave no trace" offers to stop every campaign's updates in the same tap, or the
next broadcast would put a campaign back into the cleaned chat. And the first line of an
update, which a lock screen shows to whoever holds the phone, names no campaign.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.services import Services
from bot.i18n import Translator
from bot.telegram.context import BotApp
from tests.support.admin import broadcast_reply, messages_with
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.faketg.views import MessageView
from tests.support.steps import CAMPAIGN, press_action, sign

LETTER = "open-doors-letter"
STOP = "Stop updates"


async def _news(app: BotApp, admin: FakeUser, campaign: str, text: str) -> None:
    """The admin broadcasts `text` to `campaign`'s subscribers, and it is sent."""
    await admin._send_fields({"text": text}, None, False)
    source = next(m.raw for m in reversed(admin.all_messages) if m.text == text)
    await broadcast_reply(admin, source, f"/broadcast {campaign}")
    await admin.press("Confirm")
    await app.runtime.broadcaster.join()


def _update_with(user: FakeUser, needle: str) -> MessageView:
    [message] = [m for m in user.messages if needle in m.text]
    return message


async def _subscriber(make_user: Callable[..., FakeUser], *campaigns: str, **kw: str) -> FakeUser:
    user = make_user(**kw)
    for campaign in campaigns:
        await sign(user, f"Careful Subscriber {campaign[:4]}", campaign=campaign, notify=True)
    return user


async def test_the_stop_button_under_a_broadcast_stops_exactly_that_campaigns_updates(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    user = await _subscriber(make_user, CAMPAIGN, LETTER, first_name="Stopper")
    other = await _subscriber(make_user, CAMPAIGN, first_name="Stays")
    await _news(app, admin, CAMPAIGN, "First news about the hearing")
    update = _update_with(user, "First news")
    await user.press(STOP, update)
    assert user.last_answer is not None and user.last_answer["text"] == "Updates are off."
    assert _update_with(user, "First news").buttons == []  # the button is gone

    await _news(app, admin, CAMPAIGN, "Second news about the hearing")
    await _news(app, admin, LETTER, "News about the letter")
    assert messages_with(tg, user.id, "Second news") == []
    assert len(messages_with(tg, user.id, "News about the letter")) == 1  # another campaign
    assert len(messages_with(tg, other.id, "Second news")) == 1  # another person
    tg.assert_no_violations()


async def test_the_stop_button_under_a_milestone_notice_stops_its_updates(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    await admin.send(f"/goal {CAMPAIGN} ladder 2,10")
    user = await _subscriber(make_user, CAMPAIGN, first_name="Milestone")
    await sign(make_user(first_name="Second"), "Second Person")  # goal 2 reached
    await app.runtime.broadcaster.join()
    notice = _update_with(user, "🎉")
    await user.press(STOP, notice)
    assert user.last_answer is not None and user.last_answer["text"] == "Updates are off."
    await _news(app, admin, CAMPAIGN, "News after the milestone")
    assert messages_with(tg, user.id, "News after the milestone") == []
    tg.assert_no_violations()


async def test_a_double_tapped_stop_button_answers_both_and_stops_once(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    user = await _subscriber(make_user, CAMPAIGN, first_name="Twice")
    await _news(app, admin, CAMPAIGN, "News to stop twice")
    await user.double_tap(STOP, _update_with(user, "News to stop twice"))
    assert not any("went wrong" in m.text for m in user.messages)
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    await _news(app, admin, CAMPAIGN, "News after the double tap")
    assert messages_with(tg, user.id, "News after the double tap") == []
    tg.assert_no_violations()  # both queries answered


async def test_a_stop_button_stops_only_the_updates_of_whoever_pressed_it(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    """The button names a campaign, never a person: forged or forwarded, it cannot stop
    someone else's updates."""
    victim = await _subscriber(make_user, CAMPAIGN, first_name="Victim")
    stranger = make_user(first_name="Stranger")
    await stranger.start()
    await stranger.press_data(f"1|stop|{CAMPAIGN}", stranger.last)
    await _news(app, admin, CAMPAIGN, "News the victim still gets")
    assert len(messages_with(tg, victim.id, "News the victim still gets")) == 1


async def test_leave_no_trace_offers_to_stop_every_campaigns_updates_in_one_tap(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    quiet = make_user(first_name="Unsubscribed")
    await sign(quiet, "Not Subscribed")
    await quiet.send("/privacy")
    assert not any("stop all updates" in label for row in quiet.last.buttons for label in row)

    user = await _subscriber(make_user, CAMPAIGN, LETTER, first_name="Cleaner")
    await user.send("/privacy")
    await user.press("Leave no trace and stop all updates")
    [left] = [m.text for m in user.messages if not m.deleted]
    assert "You will get no more updates." in left and "48" in left
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    await _news(app, admin, CAMPAIGN, "News the cleaner must not get")
    await _news(app, admin, LETTER, "Letter news the cleaner must not get")
    assert messages_with(tg, user.id, "cleaner must not get") == []
    tg.assert_no_violations()


async def test_leave_no_trace_after_signing_offers_to_stop_updates_too(
    app: BotApp, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    user = await _subscriber(make_user, CAMPAIGN, first_name="After")
    await press_action(user, "cleanall")  # on the thanks message, once "Notify me" was pressed
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0


@pytest.mark.parametrize("language", ["en", "be", "ru", "uk", "pl"])
async def test_the_first_line_of_an_update_names_no_campaign(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    language: str,
) -> None:
    await admin.send(f"/goal {CAMPAIGN} ladder 2,10")
    user = await _subscriber(make_user, CAMPAIGN, first_name="Lock", language_code=language)
    await sign(make_user(first_name="Second"), "Second Person")  # goal 2 reached: a notice
    await app.runtime.broadcaster.join()
    await _news(app, admin, CAMPAIGN, "News for the lock screen")
    t: Translator = svc.i18n.get(language)
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None
    titles = {text.title for text in campaign.texts.values()}
    updates = [
        m for m in user.messages if any(d.startswith("1|stop|") for d in m.callback_data.values())
    ]
    assert len(updates) == 2, updates  # the milestone notice and the broadcast
    for update in updates:
        first, second = update.text.split("\n")[:2]
        assert first == "🔔 " + t._("An update you asked for")
        assert not any(title in first for title in titles) and CAMPAIGN not in first
        assert campaign.text_for(language)[0].title in second  # the campaign comes after


async def test_a_text_too_long_for_the_first_line_is_refused_before_any_draft(
    admin: FakeUser, svc: Services
) -> None:
    """The neutral line and the title go in front of the text: a text that then passes
    Telegram's 4,096 characters is refused with how much to cut, instead of failing for
    every subscriber."""
    text = "x" * 4090
    await admin._send_fields({"text": text}, None, False)
    source = next(m.raw for m in reversed(admin.all_messages) if m.text == text)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    assert "characters too long" in admin.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM broadcasts") == 0
