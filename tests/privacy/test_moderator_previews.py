"""A hijacked or infiltrated organiser account cannot unmask signers through moderation.

The confirmation of /remove and /block shows a name only when its signer made it public (and
no organiser hid it since); every lookup is audited; previews and destructive actions have
hourly budgets per organiser, and running out is refused, audited and told to every admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.telegram.context import BotApp
from tests.conftest import Clock
from tests.support.admin import signature_numbers
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

UNKNOWN_ADMIN = 1  # an id Telegram has no chat for: "chat not found"


@pytest.fixture
def moderator(tg: FakeTelegram, app: BotApp, svc: Services) -> FakeUser:
    user = tg.user(app, first_name="Mo", language_code="uk")
    svc.settings = replace(svc.settings, moderator_ids=frozenset({user.id}))
    return user


@pytest.fixture
def silent_admin(tg: FakeTelegram, app: BotApp, svc: Services, admin: FakeUser) -> FakeUser:
    """A second admin who never opened the bot (Telegram: "can't initiate conversation"),
    beside an admin id Telegram does not know at all; neither may stop the others being told."""
    user = tg.user(app, first_name="Quiet")
    admin.chat.started = True  # the first admin has opened the bot
    ids = frozenset({UNKNOWN_ADMIN, admin.id, user.id})
    svc.settings = replace(svc.settings, admin_ids=ids)
    return user


def texts_to(tg: FakeTelegram, chat_id: int) -> list[str]:
    """Every text and caption the bot sent or edited into this chat, as Telegram got them."""
    return [
        str(call.params.get("text") or call.params.get("caption") or "")
        for call in tg.calls_to(None, chat_id=chat_id)
    ]


def alerts_to(tg: FakeTelegram, admin: FakeUser) -> list[str]:
    """The budget announcements Telegram delivered to this admin."""
    calls = tg.calls_to("sendMessage", chat_id=admin.id)
    return [str(c.params["text"]) for c in calls if c.ok and "hourly limit" in c.params["text"]]


async def audit(svc: Services, action: str) -> list[tuple[Any, ...]]:
    return await svc.db.fetchall(
        "SELECT organiser, level, detail FROM audit_log WHERE action = ? ORDER BY id", (action,)
    )


async def test_a_moderator_script_over_every_number_collects_no_hidden_name(
    admin: FakeUser,
    moderator: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
) -> None:
    svc.campaigns = CampaignSet(
        replace(c, review_public_names=True) if c.slug == CAMPAIGN else c
        for c in svc.campaigns.all()
    )
    await sign(make_user(first_name="P"), "Pia Approved", role="Nurse", org="City Clinic")
    await admin.command("review", CAMPAIGN)
    await admin.press("Approve 1 name")
    await sign(make_user(first_name="U"), "Una Unreviewed", org="Choir")
    await sign(make_user(first_name="H"), "Hal Hidden", role="Clerk", org="Ministry")
    await sign(make_user(first_name="C"), "Cora Counted", role="Judge", org="Court", public=False)
    numbers = await signature_numbers(svc)
    await admin.command("hide", str(numbers[2]))
    assert "is hidden" in admin.last.text
    last = max(numbers) + 2  # the script does not know where the numbers end
    for command in ("remove", "block"):
        for number in range(1, last + 1):
            await moderator.command(command, str(number))
    seen = "\n".join(texts_to(tg, moderator.id))
    for kept_back in ("Hal Hidden", "Clerk", "Ministry", "Cora Counted", "Judge", "Court"):
        assert kept_back not in seen
    # What the signers made public is shown (so the search above could find names at all).
    for public in ("Pia Approved", "Nurse", "City Clinic", "Una Unreviewed", "Choir"):
        assert public in seen
    assert "Ім’я: не показується (людина, яка підписала, не зробила його публічним)" in seen
    assert "Ім’я: не показується (організатори його приховали)" in seen
    # Every lookup is in the audit log, as the moderator's level and a keyed hash.
    previews = await audit(svc, "preview")
    assert len(previews) == 2 * last
    assert {row[1] for row in previews} == {"moderator"}
    assert all(str(moderator.id) not in row[0] for row in previews)
    details = [row[2] for row in previews]
    for number in numbers:
        for purpose in ("remove", "block"):
            assert any(f"for={purpose} campaign={CAMPAIGN} number={number} " in d for d in details)
    assert sum("found=no" in d for d in details) == 2 * (last - len(numbers))
    assert not any(name in d for d in details for name in ("Pia", "Una", "Hal", "Cora"))
    assert await signature_numbers(svc) == numbers  # previews change nothing


async def test_the_61st_preview_in_an_hour_is_refused_and_every_admin_is_told(
    admin: FakeUser,
    silent_admin: FakeUser,
    moderator: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
    clock: Clock,
) -> None:
    assert svc.settings.previews_per_hour == 60  # the default
    await sign(make_user(first_name="S"), "Sam Secret", public=False)
    [number] = await signature_numbers(svc)
    for _ in range(60):
        await moderator.command("remove", str(number))
        assert moderator.last.buttons, moderator.last.text
    clock.advance(59 * 60)  # still inside the hour of the first 60
    await moderator.command("remove", str(number))
    refusal = moderator.last
    assert "Вичерпано годинний ліміт переглядів підписів (60 на годину)" in refusal.text
    assert "Продовжити можна через 1 хвилину." in refusal.text
    assert not refusal.buttons
    # Every admin who can be reached is told once, in their language, the level and the
    # kind; the admins the bot cannot write to did not stop it.
    [alert] = alerts_to(tg, admin)
    assert "hourly limit for previews of signatures (60 an hour)" in alert
    assert "Level: moderator" in alert
    assert "Sam" not in alert and str(moderator.id) not in alert and str(number) not in alert
    silent = tg.calls_to("sendMessage", chat_id=silent_admin.id)
    assert [c.ok for c in silent] == [False]  # tried, refused by Telegram
    assert [c.ok for c in tg.calls_to("sendMessage", chat_id=UNKNOWN_ADMIN)] == [False]
    # The refusal is audited; a second one is refused too, without telling the admins again.
    [(organiser, level, detail)] = await audit(svc, "over_budget")
    assert (level, detail) == ("moderator", "kind=preview limit=60")
    assert str(moderator.id) not in organiser
    await moderator.command("remove", str(number))
    assert "годинний ліміт" in moderator.last.text
    assert len(alerts_to(tg, admin)) == 1
    assert len(await audit(svc, "over_budget")) == 2
    assert len(await audit(svc, "preview")) == 60
    # An hour after the first previews, they are allowed again.
    clock.advance(60)
    await moderator.command("remove", str(number))
    assert moderator.last.buttons and "Sam" not in moderator.last.text
    # Nothing about the organiser outlives the hour it is needed for.
    clock.advance(3600)
    await admin.command("remove", str(number))
    # The admin's own; the moderator's is forgotten.
    assert await svc.db.scalar("SELECT COUNT(*) FROM organiser_budgets") == 1


async def test_the_31st_removal_block_or_hide_in_an_hour_is_refused_and_every_admin_is_told(
    admin: FakeUser,
    silent_admin: FakeUser,
    moderator: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
    clock: Clock,
) -> None:
    assert svc.settings.destructive_per_hour == 30  # the default
    svc.settings = replace(svc.settings, destructive_per_hour=3)
    for index in range(5):
        await sign(make_user(first_name=f"S{index}"), f"Signer Number{index}")
    a, b, c, d, e = await signature_numbers(svc)
    await moderator.command("hide", str(a))
    await moderator.command("remove", str(b))
    await moderator.press("Видалити")
    await moderator.command("block", str(c))
    await moderator.press("Видалити й заблокувати")
    assert await signature_numbers(svc) == [a, d, e]
    # The fourth: a hide and a confirmed removal are both refused, and nothing changes.
    await moderator.command("hide", str(d))
    assert "Вичерпано годинний ліміт видалень, блокувань і приховувань імен" in moderator.last.text
    await moderator.command("remove", str(e))
    confirmation = moderator.last
    await moderator.press("Видалити", confirmation)
    assert "годинний ліміт видалень" in moderator.last.text
    assert await signature_numbers(svc) == [a, d, e]
    assert await svc.db.fetchall(
        "SELECT number FROM signatures WHERE review = 'hidden' ORDER BY number"
    ) == [(a,)]
    [alert] = alerts_to(tg, admin)
    assert "hourly limit for removals, blocks and hides (3 an hour)" in alert
    assert "Level: moderator" in alert and "Signer" not in alert
    refusals = await audit(svc, "over_budget")
    assert [(r[1], r[2]) for r in refusals] == [("moderator", "kind=destructive limit=3")] * 2
    # An hour later the same press goes through.
    clock.advance(3600)
    await moderator.press("Видалити", confirmation)
    assert await signature_numbers(svc) == [a, d]
