"""Groups speak the group's language: set by its administrators, never the asker's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from tests.support.faketg import BOT_USERNAME, FakeGroup, FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN

LETTER = "open-doors-letter"
PRIVATE_LINE = (
    "Signing happens in a private chat with me; nothing personal is posted in this group."
)


def title(svc: Services, slug: str, language: str) -> str:
    campaign = svc.campaign(slug)
    assert campaign is not None
    return campaign.text_for(language)[0].title


async def group_with_bot(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], **user: str
) -> tuple[FakeGroup, FakeUser]:
    """A group with the bot in it; the one who added it is an ordinary member."""
    host = make_user(first_name="Host", **user)
    group = tg.group(title="Diaspora Warsaw")
    await tg.add_bot_to_group(group, by=host)
    return group, host


async def stored_language(svc: Services, group: FakeGroup) -> str | None:
    value = await svc.db.scalar(
        "SELECT language FROM group_settings WHERE chat_id = ?", (group.id,)
    )
    return str(value) if value else None


async def test_a_group_set_to_polish_gets_polish_cards_whoever_asks(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    group, admin = await group_with_bot(tg, make_user)
    group.set_status(admin, "administrator")
    [done] = await admin.send("/language pl", chat=group)
    assert "Nowy język tej grupy: polski." in done.text
    [check] = tg.calls_to("getChatMember", chat_id=group.id)
    assert check.ok and check.params["user_id"] == admin.id
    assert check.result["status"] == "administrator"
    assert await stored_language(svc, group) == "pl"
    # Only the group and its choice are kept: nothing about who chose.
    rows = await svc.db.fetchall("SELECT * FROM group_settings")
    assert rows == [(group.id, "pl", rows[0][2])]

    russian = make_user(first_name="Ivan", language_code="ru")
    english = make_user(first_name="John", language_code="en")
    for member in (russian, english):
        [card] = await member.command("petition", CAMPAIGN, chat=group)
        assert title(svc, CAMPAIGN, "pl") in card.text
        assert "Przeczytaj i podpisz" in str(card.buttons)
        assert title(svc, CAMPAIGN, "ru") not in card.text
        [listing] = await member.command("petition", chat=group)
        assert title(svc, CAMPAIGN, "pl") in listing.text
        assert "podpis" in listing.text  # the Polish count line
        assert title(svc, CAMPAIGN, "en") not in listing.text


async def test_a_non_admin_cannot_set_the_language_an_owner_can(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    group, owner = await group_with_bot(tg, make_user)
    member = make_user(first_name="Member", language_code="ru")
    [refused] = await member.send("/language ru", chat=group)
    assert "Only the group's administrators can set its language." in refused.text
    [check] = tg.calls_to("getChatMember", chat_id=group.id)
    assert check.params["user_id"] == member.id and check.result["status"] == "member"
    assert await stored_language(svc, group) is None
    # Repeating it gets no second refusal: the group is not filled with them.
    assert await member.send("/language ru", chat=group, expect_reply=False) == []
    assert await stored_language(svc, group) is None

    group.set_status(owner, "creator")
    [done] = await owner.send("/language ru", chat=group)
    assert "русский" in done.text
    assert await stored_language(svc, group) == "ru"


async def test_an_anonymous_admin_can_set_the_language(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    group, someone = await group_with_bot(tg, make_user)
    [done] = await someone.send("/language uk", chat=group, anonymous=True)
    assert "українська" in done.text
    assert tg.calls_to("getChatMember") == []  # the group itself spoke: nothing to check
    assert await stored_language(svc, group) == "uk"
    [card] = await make_user(language_code="en").command("petition", CAMPAIGN, chat=group)
    assert title(svc, CAMPAIGN, "uk") in card.text


async def test_without_a_group_language_cards_use_the_campaign_and_lists_the_bot_default(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    svc.settings = replace(svc.settings, default_language="uk")
    svc.campaigns = CampaignSet(
        replace(c, default_language="ru") if c.slug == CAMPAIGN else c for c in svc.campaigns.all()
    )
    for language in ("en", "pl"):
        group, asker = await group_with_bot(tg, make_user, language_code=language)
        [welcome] = group.messages
        assert title(svc, CAMPAIGN, "uk") in welcome.text  # DEFAULT_LANGUAGE, not the adder's
        [card] = await asker.command("petition", CAMPAIGN, chat=group)
        assert title(svc, CAMPAIGN, "ru") in card.text  # the campaign's default language
        assert "Прочитать и подписать" in str(card.buttons)
        [letter] = await asker.command("petition", LETTER, chat=group)
        assert title(svc, LETTER, "en") in letter.text
        assert "Read and sign" in str(letter.buttons)
        [listing] = await asker.command("progress", chat=group)
        assert title(svc, CAMPAIGN, "uk") in listing.text  # DEFAULT_LANGUAGE
        assert "підпис" in listing.text


async def test_the_group_list_has_a_heading_and_says_signing_is_private(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    group, host = await group_with_bot(tg, make_user)
    [listing] = await host.send("/petition", chat=group)
    lines = listing.text.splitlines()
    assert lines[0] == "Campaigns you can sign:"
    assert lines[-1] == PRIVATE_LINE
    urls = list(listing.button_urls.values())
    assert len(urls) == 2 and all(u.startswith(f"https://t.me/{BOT_USERNAME}?start=") for u in urls)
    assert not listing.callback_data


async def test_help_in_a_group_answers_with_the_group_commands(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    group, host = await group_with_bot(tg, make_user, language_code="ru")
    [help_] = await host.command("help", chat=group)
    for command in ("/petition", "/progress", "/share", "/language"):
        assert command in help_.text
    assert PRIVATE_LINE in help_.text
    assert f"/petition@{BOT_USERNAME}" in help_.text
    assert list(help_.button_urls.values()) == [f"https://t.me/{BOT_USERNAME}"]
    assert not help_.callback_data
    assert "Что я умею" not in help_.text and "What I can do in this group" in help_.text


async def test_language_without_a_code_shows_the_current_one_and_how_to_set_it(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    group, admin = await group_with_bot(tg, make_user)
    group.set_status(admin, "administrator")
    [unset] = await admin.send("/language", chat=group)
    assert "no language set" in unset.text
    for line in ("/language en — English", "/language be — Беларуская", "/language pl — Polski"):
        assert line in unset.text
    assert "/language default" in unset.text
    [bad] = await admin.send("/language xx", chat=group)
    assert bad.text == unset.text
    assert tg.calls_to("getChatMember") == []  # showing needs no check
    await admin.send("/language pl", chat=group)
    [current] = await admin.send("/language", chat=group)
    assert "Język tej grupy: polski" in current.text.splitlines()[0]
    [cleared] = await admin.send("/language default", chat=group)
    assert "cleared" in cleared.text
    assert await stored_language(svc, group) is None


async def test_removing_the_bot_forgets_the_group_language(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    for kicked in (False, True):
        group, admin = await group_with_bot(tg, make_user)
        await admin.send("/language pl", chat=group, anonymous=True)
        assert await stored_language(svc, group) == "pl"
        await admin.remove_bot_from(group, kicked=kicked)
        assert await svc.db.scalar("SELECT COUNT(*) FROM group_settings") == 0
        await tg.add_bot_to_group(group, by=admin)
        assert title(svc, CAMPAIGN, "en") in group.last.text  # welcomed in DEFAULT_LANGUAGE


@pytest.mark.parametrize(
    "command", ["petition", "progress", "share", "start", "sign", "help", "language"]
)
async def test_group_commands_with_and_without_the_bot_name(
    command: str, tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    group, host = await group_with_bot(tg, make_user)
    assert len(await host.send(f"/{command}", chat=group)) == 1
    assert len(await host.send(f"/{command}@{BOT_USERNAME}", chat=group)) == 1
    assert len(await host.send(f"/{command}@{BOT_USERNAME.lower()}", chat=group)) == 1
    assert await host.send(f"/{command}@OtherBot", chat=group, expect_reply=False) == []
    assert await host.send(f"/{command}@OtherBot {CAMPAIGN}", chat=group, expect_reply=False) == []


async def test_a_group_that_becomes_a_supergroup_keeps_its_language_and_source(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    host = make_user(first_name="Host")
    old = tg.group(title="Small group", supergroup=False)
    await tg.add_bot_to_group(old, by=host)
    old.set_status(host, "administrator")
    await host.send("/language pl", chat=old)
    source = await svc.db.scalar("SELECT code FROM sources WHERE chat_id = ?", (old.id,))
    new = tg.group(title="Small group", supergroup=True)
    await host._send_fields({"migrate_to_chat_id": new.id}, old, False)
    new.chat.bot_member = True  # Telegram moves the bot along, without a new welcome
    member = make_user(first_name="Ivan", language_code="ru")
    [card] = await member.command("petition", CAMPAIGN, chat=new)
    assert title(svc, CAMPAIGN, "pl") in card.text
    assert source and any(f"_{source}" in url for url in card.button_urls.values())


async def test_removing_the_bot_forgets_the_group_id_its_links_keep_their_attribution(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """The README promises the group's id and language go when the bot is removed; the source
    of the links posted there keeps its title, so the signatures it brought stay counted."""
    group, admin = await group_with_bot(tg, make_user)
    await admin.send("/language pl", chat=group, anonymous=True)
    assert await svc.db.scalar("SELECT COUNT(*) FROM sources WHERE chat_id = ?", (group.id,)) == 1
    await admin.remove_bot_from(group)
    for table in ("group_settings", "sources"):
        held = await svc.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE chat_id = ?", (group.id,))
        assert held == 0, table
    assert await svc.db.fetchall("SELECT kind, label FROM sources") == [("group", group.title)]
