"""What a supporter sees at the moments that matter to someone at risk: nothing typed changes a
signature without showing it, /stop stops only updates, each choice says what it stores."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.services import Services
from bot.i18n import I18n
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign

I18N = I18n()
LANGUAGES = ["en", "be", "ru", "uk", "pl"]


def _preview(u: FakeUser) -> str:
    """The flow message as read: without the marks that isolate typed text's direction."""
    return u.last.text.replace("\u2068", "").replace("\u2069", "")


async def test_a_second_message_at_the_preview_is_the_role_and_a_third_the_organisation(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Anna Example")
    await u.send("Journalist")
    preview = _preview(u)
    assert "Name: Anna Example" in preview and "Role: Journalist" in preview
    assert "Added as your role: Journalist" in preview
    await u.send("Vilnius City Hospital")
    preview = _preview(u)
    assert "Name: Anna Example" in preview and "Organisation: Vilnius City Hospital" in preview
    assert "Added as your organisation: Vilnius City Hospital" in preview
    await u.send("Something Else")  # nowhere left to put it: nothing changes, and it says so
    preview = _preview(u)
    assert "Name: Anna Example" in preview and "Role: Journalist" in preview
    assert "Organisation: Vilnius City Hospital" in preview and "Something Else" not in preview
    assert "Nothing was changed" in preview and "Change name" in str(u.last.buttons)
    await u.press("Change name")  # the way to another name: back to the name, shown
    await u.send("Anna B. Example")
    assert "Name: Anna B. Example" in _preview(u) and "Role: Journalist" in _preview(u)
    await press_action(u, f"ok|{CAMPAIGN}|1")
    row = await svc.db.fetchone("SELECT name, role, organisation FROM signatures")
    assert row == ("Anna B. Example", "Journalist", "Vilnius City Hospital")


async def test_two_lines_at_the_preview_fill_role_and_organisation_not_the_name(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Anna Example")
    await u.send("Journalist\nVilnius City Hospital")
    preview = _preview(u)
    assert "Name: Anna Example" in preview and "Role: Journalist" in preview
    assert "Organisation: Vilnius City Hospital" in preview


async def test_stop_stops_updates_and_leaves_clean_up_and_language_alone(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await sign(u, "Stop Signer", notify=True)
    await u.send("/language")
    await u.press("English")
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")
    [reply] = await u.send("/stop")
    assert "no more updates" in reply.text
    assert "Your signatures stay, and so do your choices" in reply.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    [data] = await u.send("/mydata")
    assert "Automatic clean-up after signing: on" in data.text
    assert "Language: English" in data.text


async def test_cancel_forgets_a_visit_at_once_and_mydata_says_what_it_holds(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    [data] = await u.send("/mydata")
    assert "unfinished signature" not in data.text
    assert "The campaign you opened last" in data.text and "the link you came through" in data.text
    assert "/cancel forgets it now" in data.text
    [reply] = await u.send("/cancel")
    assert "Forgotten: the campaign you opened and the link you came through." in reply.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM drafts") == 0
    [data] = await u.send("/mydata")
    assert "The campaign you opened last" not in data.text


async def test_cancel_forgets_a_visit_but_keeps_a_visitors_choice(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.send("/language")
    await u.press("English")
    await u.send("/cancel")
    [data] = await u.send("/mydata")
    assert "The campaign you opened last" not in data.text and "Language: English" in data.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM drafts WHERE campaign != ''") == 0


@pytest.mark.parametrize("language", LANGUAGES)
async def test_notify_me_says_it_stores_the_telegram_id_and_how_to_stop(
    make_user: Callable[..., FakeUser], language: str
) -> None:
    t = I18N.get(language)
    u = make_user(language_code=language)
    await sign(u, "Notify Signer")
    await press_action(u, f"notify|{CAMPAIGN}|1")
    answer = u.last_answer or {}
    said = t._(
        "We will notify you about this campaign. To write to you, the bot now stores your "
        "Telegram id; 🔕 Stop updates or /stop erases it."
    )
    assert answer.get("text") == said and answer.get("show_alert") is True
    assert len(said.encode("utf-16-le")) // 2 <= 200  # Telegram's limit for a callback answer


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_hidden_name_choice_says_the_name_is_still_stored(
    make_user: Callable[..., FakeUser], language: str
) -> None:
    t = I18N.get(language)
    u = make_user(language_code=language)
    await u.start(CAMPAIGN)
    await press_action(u, "sign|")
    await u.send("Hidden Signer")
    line = t._(
        "🙈 hides your name only from the public: it is still stored and handed to the "
        "organisers. If you are at risk, sign with your initials or a pseudonym."
    )
    assert line in u.last.text
    assert u.last.text.rstrip().endswith(line)  # right above the buttons, not in a paragraph


async def test_a_new_groups_welcome_says_administrators_can_switch_the_language(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    host = make_user(first_name="Host")
    group = tg.group(title="Diaspora Vilnius")
    await tg.add_bot_to_group(group, by=host)
    [welcome] = group.messages
    assert "Administrators of this group can switch my language with /language" in welcome.text
