"""Each supporter meets the bot in their own language, with the right plural forms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from babel.numbers import get_group_symbol

from bot.config import Settings
from bot.core.services import Services
from bot.i18n import I18n
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN

I18N = I18n()


@pytest.mark.parametrize(
    ("code", "language"),
    [("be", "be"), ("ru", "ru"), ("uk", "uk"), ("pl", "pl"), ("en", "en"), ("de", "en"),
     (None, "en"), ("ru-RU", "ru")],
)  # fmt: skip
async def test_journey_in_each_language(
    make_user: Callable[..., FakeUser], tg: FakeTelegram, code: str | None, language: str
) -> None:
    """Card → Sign → name → sign button: three interactions, at most six Bot API calls."""
    t = I18N.get(language)
    u = make_user(first_name="Ales", last_name="Kot", language_code=code)
    [card] = await u.start(CAMPAIGN)
    assert t._("Read the full text") in str(card.buttons)
    before = len(tg.calls)
    await u.press(t._("Sign"))
    assert t._("Your name") in u.last.text and "/withdraw" in u.last.text
    await u.send("Ales Kot\n" + "x" * 130)  # a role over the limit: refused, nothing lost
    too_long = t.ngettext(
        "That is {length} character long; the limit is {max}.",
        "That is {length} characters long; the limit is {max}.",
        130,
    ).format(length=t.number(130), max=120)
    assert too_long in u.last.text
    await u.send("Ales Kot")
    assert t._("Check your signature") in u.last.text
    await u.press(t._("Sign with my name"))
    assert t._("Thank you! Your signature is recorded.") in u.last.text
    calls = [c.method for c in tg.calls[before:]]
    assert len(calls) <= 6 + 2, calls  # six on the shortest path, two more for the refusal
    if language != "en":
        assert "Thank you" not in u.last.text and "Sign" not in str(card.buttons)


async def test_three_taps_in_each_language_count_six_calls(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    for language in ("en", "be", "ru", "uk", "pl"):
        t = I18N.get(language)
        u = make_user(first_name="Ales", language_code=language)
        await u.start(CAMPAIGN)
        before = len(tg.calls)
        await u.press(t._("Sign"))
        await u.send("Ales Kot")
        await u.press(t._("Sign, don't show my name"))
        calls = [c.method for c in tg.calls[before:]]
        assert len(calls) <= 6, (language, calls)
        assert t._("Thank you! Your signature is recorded.") in u.last.text


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", ["1 signature", "2 signatures", "5 signatures", "21 signatures", "22 signatures",
                "25 signatures", "111 signatures"]),
        ("ru", ["1 подпись", "2 подписи", "5 подписей", "21 подпись", "22 подписи",
                "25 подписей", "111 подписей"]),
        ("be", ["1 подпіс", "2 подпісы", "5 подпісаў", "21 подпіс", "22 подпісы",
                "25 подпісаў", "111 подпісаў"]),
        ("uk", ["1 підпис", "2 підписи", "5 підписів", "21 підпис", "22 підписи",
                "25 підписів", "111 підписів"]),
        ("pl", ["1 podpis", "2 podpisy", "5 podpisów", "21 podpisów", "22 podpisy",
                "25 podpisów", "111 podpisów"]),
    ],
)  # fmt: skip
async def test_progress_plurals(
    make_user: Callable[..., FakeUser], svc: Services, language: str, forms: list[str]
) -> None:
    u = make_user(language_code=language)
    await u.start(CAMPAIGN)
    for count, expected in zip([1, 2, 5, 21, 22, 25, 111], forms, strict=True):
        await svc.db.execute(
            "INSERT INTO counters (campaign, signatures) VALUES (?, ?)"
            " ON CONFLICT (campaign) DO UPDATE SET signatures = excluded.signatures",
            (CAMPAIGN, count),
        )
        [msg] = await u.send("/progress")
        assert expected in msg.text, (count, msg.text)


async def test_big_numbers_are_formatted_for_the_locale(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await svc.db.execute(
        "INSERT INTO counters (campaign, signatures) VALUES (?, 13154)", (CAMPAIGN,)
    )
    en, _ = await make_user(language_code="en").send("/progress")
    assert "13,154 signatures · next goal 15,000" in en.text
    ru, _ = await make_user(language_code="ru").send("/progress")
    # Russian groups digits with a space-like separator; which one is CLDR's call, not ours.
    sep = get_group_symbol("ru")
    assert sep != "," and f"13{sep}154" in ru.text and f"15{sep}000" in ru.text


async def test_language_choice_is_stored_and_used_everywhere(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user(language_code="en")
    await u.send("/language")
    assert "Polski" in str(u.last.buttons) and "Беларуская" in str(u.last.buttons)
    await u.press("Polski")
    assert (u.last_answer or {}).get("text") == "Język: polski."
    [msg] = await u.send("/help")
    assert "Co potrafię" in msg.text
    [card] = await u.start(CAMPAIGN)
    assert I18N.get("pl")._("Read the full text") in str(card.buttons)


async def test_campaign_text_falls_back_with_a_notice(make_user: Callable[..., FakeUser]) -> None:
    u = make_user(language_code="uk")
    [card] = await u.start("open-doors-letter")
    notice = (
        I18N.get("uk")
        ._("This text is not yet available in {language}; it is shown in {fallback}.")
        .format(language="українська", fallback="англійська")
    )
    assert card.text.startswith("ℹ️ " + notice)
    assert "Keep the Doors Open" in card.text  # the English title, shown after the notice
    [petition] = await u.start(CAMPAIGN)
    assert "ℹ️" not in petition.text  # the petition has a Ukrainian text


async def test_right_to_left_names_are_isolated(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("محمد الأحمد\nמהנדסת")
    assert "Name: \u2068محمد الأحمد\u2069\n" in u.last.text
    assert "Role: \u2068מהנדסת\u2069\n" in u.last.text


async def test_menus_per_language_and_scope_then_nothing_on_restart(
    settings: Settings, tg: FakeTelegram, clock: Clock
) -> None:
    from dataclasses import replace

    admin = tg.new_user("Admin")
    tg.chats[admin["id"]].started = True  # setMyCommands for a chat needs a chat that exists
    settings = replace(settings, admin_ids=frozenset({admin["id"]}))
    app: BotApp = await start_app(settings, tg, clock)
    await stop_app(app)
    calls = tg.calls_to("setMyCommands")
    languages = {c.params.get("language_code") for c in calls}
    assert languages == {None, "en", "be", "ru", "uk", "pl"}
    scopes = {c.params["scope"]["type"] for c in calls}
    assert scopes == {"all_private_chats", "all_group_chats", "chat"}
    ru_private = next(
        c
        for c in calls
        if c.params.get("language_code") == "ru"
        and c.params["scope"]["type"] == "all_private_chats"
    )
    assert any(cmd["command"] == "withdraw" for cmd in ru_private.params["commands"])
    assert all(
        "export" not in str(c.params["commands"])
        for c in calls
        if c.params["scope"]["type"] != "chat"
    )
    assert any(
        "export" in str(c.params["commands"]) for c in calls if c.params["scope"]["type"] == "chat"
    )
    assert {c.params.get("language_code") for c in tg.calls_to("setMyDescription")} == languages
    assert len(tg.calls_to("setMyShortDescription")) == 6
    before = len(tg.calls)
    app = await start_app(settings, tg, clock)
    await stop_app(app)
    assert not [c for c in tg.calls[before:] if c.method.startswith("setMy")]
    tg.assert_no_violations()
