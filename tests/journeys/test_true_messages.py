"""Every message the flow shows is true: each case here once said something false."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.i18n import I18n
from bot.telegram import menus
from tests.support.faketg import FakeUser
from tests.support.steps import CAMPAIGN, sign

LETTER = "open-doors-letter"


def _close(svc: Services, slug: str) -> None:
    svc.campaigns = CampaignSet(
        replace(c, is_open=False) if c.slug == slug else c for c in svc.campaigns.all()
    )


@pytest.mark.parametrize("language", ["be", "ru", "uk", "pl", "en"])
def test_dates_end_in_one_full_stop_and_months_are_whole(language: str) -> None:
    t = I18n().get(language)
    ts = 1_796_083_200  # 1 December 2026
    for text in (t.date(ts), t.datetime(ts), t._("Signed: {date}").format(date=t.date(ts))):
        assert ".." not in text, text
    if language == "be":
        assert "снежня" in t.datetime(ts) and "сне " not in t.datetime(ts)


async def test_campaign_buttons_are_shortened_on_a_word_with_an_ellipsis(
    make_user: Callable[..., FakeUser],
) -> None:
    [menu] = await make_user(language_code="be").start()
    labels = [label for row in menu.buttons for label in row]
    long = [label for label in labels if label.endswith("…")]
    assert long, labels
    for label in long:
        assert not label[:-1].endswith(" ") and len(label) <= 60
    title = "Медычная дапамога і спатканні з роднымі для палітвязняў Беларусі"
    assert any(title.startswith(label[:-1]) for label in long)


async def test_with_one_campaign_closed_commands_are_about_the_one_read(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    signer = make_user()
    await sign(signer, name="Closed Signer", campaign=LETTER)
    _close(svc, LETTER)
    [progress] = await signer.send("/progress")  # their signature says which campaign
    assert "Keep the Doors Open" in progress.text and "Final count: 1 signature" in progress.text
    reader = make_user()
    await reader.start(LETTER)
    [progress] = await reader.send("/progress")
    assert "Keep the Doors Open" in progress.text
    [share] = await reader.send("/share")
    assert "Keep the Doors Open" in (share.caption or share.text)


async def test_a_campaign_closing_mid_flow_says_so(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    _close(svc, CAMPAIGN)
    [reply] = await u.send("Late Person")
    assert "has closed, so nothing was recorded" in reply.text
    assert "Final count: 0 signatures" in reply.text


async def test_stop_after_withdrawing_does_not_speak_of_signatures(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await sign(u, name="Stop Person")
    [reply] = await u.send("/stop")
    assert "Your signatures stay." in reply.text
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    [reply] = await u.send("/stop")
    assert "no more updates" in reply.text and "signatures" not in reply.text


async def test_mydata_names_the_language_the_bot_speaks(
    make_user: Callable[..., FakeUser],
) -> None:
    [data] = await make_user(language_code="ru").send("/mydata")
    t = I18n().get("ru")
    assert "Язык: русский" in data.text and t._("not chosen") not in data.text


async def test_after_signing_progress_offers_no_sign_button(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    [fresh] = await u.send("/progress")
    assert "Sign" in str(fresh.buttons)
    await sign(u, name="Progress Person")
    [after] = await u.send("/progress")
    assert "Sign" not in str(after.buttons) and "Share" in str(after.buttons)


async def test_the_first_signature_shows_on_the_bar(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    await sign(u, name="First Person")
    [progress] = await u.send("/progress")
    assert "▰▱▱▱▱▱▱▱▱▱ <1%" in progress.text


def test_help_and_menu_are_one_list() -> None:
    t = I18n().get("en")
    from bot.telegram.handlers.router import help_text

    text = help_text(t)
    for name, description in menus.PRIVATE:
        if name != "help":
            assert f"/{name} — {description}" in text
    names = [name for name, _ in menus.PRIVATE]
    assert "share" in names and "cancel" in names
    assert "/notme — report your name on a list you did not sign" in text  # not a hidden command


async def test_a_link_in_capitals_opens_the_campaign(make_user: Callable[..., FakeUser]) -> None:
    [card] = await make_user().start("MEDICAL-ACCESS")
    assert card.text.startswith("Doctors and family visits")
