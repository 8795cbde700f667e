"""Broadcasts in several languages: each signer gets their language, else the default one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.core.services import Services
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.admin import broadcast_reply, messages_with, stop_after
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign

BE = "Навіна па-беларуску: слуханне ў панядзелак"
PL = "Wiadomość po polsku: rozprawa w poniedziałek"


@pytest.fixture
def campaigns_dir(campaigns_dir: Path) -> Path:
    """The test campaign with Polish as its default language."""
    toml = campaigns_dir / CAMPAIGN / "campaign.toml"
    toml.write_text(toml.read_text().replace('default_language = "en"', 'default_language = "pl"'))
    return campaigns_dir


async def _text(admin: FakeUser, text: str) -> dict[str, Any]:
    await admin._send_fields({"text": text}, None, False)
    return next(m.raw for m in reversed(admin.all_messages) if m.text == text)


async def _subscribe(user: FakeUser, name: str) -> None:
    await sign(user, name, notify=True)


async def test_each_signer_gets_their_language_once_across_a_restart(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
    clock: Clock,
) -> None:
    belarusian = make_user(first_name="Алесь", language_code="be")
    ukrainian = make_user(first_name="Оксана", language_code="uk")
    switched = make_user(first_name="Ян", language_code="ru")  # signs in Russian, then be
    for user, name in ((belarusian, "Алесь Б"), (ukrainian, "Оксана К"), (switched, "Ян С")):
        await _subscribe(user, name)
    await switched.command("language")
    await press_action(switched, "setlang|be")

    # Belarusian first: without the default (Polish) text it cannot be sent.
    await broadcast_reply(admin, await _text(admin, BE), f"/broadcast {CAMPAIGN} be")
    preview = admin.last
    assert not any(d.startswith("1|bc|") for d in preview.callback_data.values())
    assert "Polski" in preview.text and f"/broadcast {CAMPAIGN} pl" in preview.text
    await broadcast_reply(admin, await _text(admin, PL), f"/broadcast {CAMPAIGN}")
    preview = admin.last
    assert "will go to 3 subscribers" in preview.text
    assert "Беларуская: 2 — their own text" in preview.text
    assert "Українська: 1 — the text in Polski" in preview.text

    runner = app.runtime.broadcaster
    stop_after(runner, 1)
    await admin.press("Confirm", preview)
    await runner.join()
    settings = svc.settings
    await stop_app(app)
    restarted = await start_app(settings, tg, clock)
    try:
        await restarted.runtime.broadcaster.join()
        assert len(messages_with(tg, belarusian.id, BE)) == 1
        assert len(messages_with(tg, switched.id, BE)) == 1
        assert len(messages_with(tg, ukrainian.id, PL)) == 1
        for user in (belarusian, switched):
            assert messages_with(tg, user.id, PL) == []
        assert messages_with(tg, ukrainian.id, BE) == []
    finally:
        await stop_app(restarted)


async def test_a_forged_confirm_without_the_default_text_sends_nothing(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    user = make_user(first_name="Алесь", language_code="be")
    await _subscribe(user, "Алесь Б")
    await broadcast_reply(admin, await _text(admin, BE), f"/broadcast {CAMPAIGN} be")
    [draft] = [d for d in admin.last.callback_data.values() if d.startswith("1|bcx|")]
    await admin.press_data(draft.replace("bcx", "bc"), admin.last)
    await app.runtime.broadcaster.join()
    assert messages_with(tg, user.id, BE) == []


async def test_a_forgotten_draft_does_not_ride_along_and_is_its_admins_alone(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
    clock: Clock,
) -> None:
    belarusian = make_user(first_name="Алесь", language_code="be")
    await _subscribe(belarusian, "Алесь Б")
    await broadcast_reply(admin, await _text(admin, BE), f"/broadcast {CAMPAIGN} be")
    clock.advance(2 * 3600)  # never confirmed; weeks later a new message in Polish only
    await broadcast_reply(admin, await _text(admin, PL), f"/broadcast {CAMPAIGN}")
    preview = admin.last
    assert "Беларуская: 1 — the text in Polski" in preview.text
    other = make_user(first_name="Other admin")
    # (four eyes off: this is about whose draft it is, not about a second admin's approval)
    ids = svc.settings.admin_ids | {other.id}
    svc.settings = replace(svc.settings, admin_ids=ids, four_eyes=False)
    [confirm] = [d for d in preview.callback_data.values() if d.startswith("1|bc|")]
    await other.press_data(confirm, preview)  # forged: another admin's draft
    await app.runtime.broadcaster.join()
    assert messages_with(tg, belarusian.id, PL) == []
    await admin.press("Confirm", preview)
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, belarusian.id, PL)) == 1
    assert messages_with(tg, belarusian.id, BE) == []


async def test_a_preview_left_for_hours_sends_nothing(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], tg: FakeTelegram, clock: Clock
) -> None:
    user = make_user(first_name="Ян", language_code="pl")
    await _subscribe(user, "Jan K")
    await broadcast_reply(admin, await _text(admin, PL), f"/broadcast {CAMPAIGN}")
    preview = admin.last
    clock.advance(3 * 24 * 3600)
    await admin.press("Confirm", preview)
    await app.runtime.broadcaster.join()
    assert messages_with(tg, user.id, PL) == []
