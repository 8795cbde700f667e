"""Four eyes: with two admins, an export with names, a backup, a broadcast, a bulk removal and
unhiding a name an admin hid do nothing until another admin approves; nobody approves their
own request; every admin is told of each request, decision and expiry; with one admin they
work as before. A link in a broadcast needs the second admin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from bot.config import Settings
from bot.core.services import Services
from bot.telegram import jobs
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.admin import broadcast_reply, messages_with, signature_numbers, write_news
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.faketg.views import MessageView
from tests.support.steps import CAMPAIGN, sign

NEVER_OPENED = 1  # an admin id Telegram has no chat for


@pytest.fixture
def second(tg: FakeTelegram, app: BotApp, svc: Services, admin: FakeUser) -> FakeUser:
    """A second admin who opened the bot, beside the first (and, in ADMIN_IDS, an id that
    never opened it)."""
    user = tg.user(app, first_name="Bea", language_code="en")
    user.chat.started = True
    admin.chat.started = True
    svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id, user.id, NEVER_OPENED}))
    return user


def requests_to(user: FakeUser) -> list[MessageView]:
    """The four-eyes requests in this admin's chat, with their Approve and Refuse buttons."""
    return [m for m in user.messages if "needs a second admin" in m.text and m.buttons]


def told(tg: FakeTelegram, user: FakeUser, needle: str) -> list[dict[str, Any]]:
    return messages_with(tg, user.id, needle)


def documents_to(tg: FakeTelegram) -> list[int]:
    """The chat of every document the bot sent."""
    return [int(c.params["chat_id"]) for c in tg.calls_to("sendDocument") if c.ok]


async def audited(svc: Services) -> list[str]:
    rows = await svc.db.fetchall("SELECT action FROM audit_log ORDER BY id")
    return [str(r[0]) for r in rows]


async def pending(svc: Services) -> int:
    return int(await svc.db.scalar("SELECT COUNT(*) FROM approvals"))


async def test_with_two_admins_an_export_with_names_waits_for_the_second_admin(
    admin: FakeUser,
    second: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
) -> None:
    await sign(make_user(first_name="S"), "Sara Secret", role="Nurse", public=False)
    await admin.command("export", f"{CAMPAIGN} csv")
    assert documents_to(tg) == []
    assert "Nothing was done yet" in admin.last.text
    assert "could not be told" in admin.last.text and f"{NEVER_OPENED}" in admin.last.text
    # Every admin who can be reached got the request: kind, campaign, rows, never a name.
    [request] = requests_to(second)
    assert "What: an export with names (csv)" in request.text
    assert "Concerns: 1 signature" in request.text
    assert "Sara" not in request.text and "Nurse" not in request.text
    assert len(requests_to(admin)) == 1
    await second.press("Approve", request)
    # The file goes only to the requester's private chat.
    assert documents_to(tg) == [admin.id]
    document = admin.last.document
    assert document is not None and "Sara Secret" in document[0].decode("utf-8-sig")
    for user in (admin, second):
        assert told(tg, user, "was approved by a second admin")
    actions = await audited(svc)
    assert actions.index("approval_request") < actions.index("approval_approved")
    assert actions.index("approval_approved") < actions.index("export")
    assert await pending(svc) == 0  # nothing kept past its purpose
    rows = await svc.db.fetchall("SELECT requester, params FROM approvals")
    assert rows == []


async def test_with_two_admins_a_backup_waits_for_the_second_admin(
    admin: FakeUser, second: FakeUser, svc: Services, tg: FakeTelegram
) -> None:
    await admin.command("backup")
    assert documents_to(tg) == []
    [request] = requests_to(second)
    assert "a backup of the whole database" in request.text
    await second.press("Refuse", request)
    assert documents_to(tg) == []
    for user in (admin, second):
        assert told(tg, user, "was refused by a second admin. Nothing was done.")
    await admin.command("backup")
    await second.press("Approve", requests_to(second)[-1])
    assert documents_to(tg) == [admin.id]
    assert "approval_refused" in await audited(svc)


async def test_with_two_admins_a_broadcast_waits_for_the_second_admin(
    app: BotApp,
    admin: FakeUser,
    second: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
) -> None:
    subscriber = make_user(first_name="Sub")
    await sign(subscriber, "Sub Scriber", notify=True)
    await broadcast_reply(admin, await write_news(admin), f"/broadcast {CAMPAIGN}")
    await admin.press("Confirm")
    await app.runtime.broadcaster.join()
    assert messages_with(tg, subscriber.id, "hearing is on Monday") == []
    [request] = requests_to(second)
    assert "a broadcast to the campaign's subscribers" in request.text
    assert "Concerns: 1 subscriber" in request.text
    assert "the hearing is on Monday" in request.text  # the approver judges the text itself
    await second.press("Approve", request)
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, subscriber.id, "hearing is on Monday")) == 1
    assert "The broadcast is finished: 1 sent, 0 failed." in admin.last.text
    assert not any("finished" in m.text for m in second.messages)


async def test_nobody_approves_their_own_request(
    admin: FakeUser, second: FakeUser, svc: Services, tg: FakeTelegram
) -> None:
    await admin.command("backup")
    [own] = requests_to(admin)
    await admin.press("Approve", own)
    assert admin.last_answer is not None
    assert "Nobody can approve their own request" in str(admin.last_answer.get("text"))
    assert documents_to(tg) == []
    assert await pending(svc) == 1
    assert "approval_own_refused" in await audited(svc)
    # The waiting request holds no Telegram id, only the audit log's keyed hash.
    [row] = await svc.db.fetchall("SELECT * FROM approvals")
    assert not any(str(user.id) in str(value) for value in row for user in (admin, second))
    # The requester may take it back; then the other admin's press finds nothing.
    await admin.press("Refuse", own)
    assert told(tg, second, "was withdrawn by whoever asked")
    await second.press("Approve", requests_to(second)[0])
    assert documents_to(tg) == [] and await pending(svc) == 0


async def test_a_double_tap_or_a_redelivered_approval_runs_once(
    admin: FakeUser, second: FakeUser, svc: Services, tg: FakeTelegram
) -> None:
    await admin.command("backup")
    await admin.redeliver()  # the same command again: the same request, not announced twice
    assert len(requests_to(second)) == 1
    await second.double_tap("Approve", requests_to(second)[0])
    await second.redeliver()
    assert documents_to(tg) == [admin.id]
    assert (await audited(svc)).count("approval_approved") == 1
    assert (await audited(svc)).count("backup") == 1


async def test_a_request_expires_and_every_admin_is_told(
    app: BotApp,
    admin: FakeUser,
    second: FakeUser,
    svc: Services,
    tg: FakeTelegram,
    clock: Clock,
) -> None:
    assert svc.settings.approval_minutes == 30  # the default
    await admin.command("export", f"{CAMPAIGN} json")
    clock.advance(30 * 60)
    await jobs.expire_requests(SimpleNamespace(svc=svc, bot=app.bot))  # type: ignore[arg-type]
    for user in (admin, second):
        assert len(told(tg, user, "expired: no second admin approved it")) == 1
    assert await pending(svc) == 0
    await second.press("Approve", requests_to(second)[0])
    assert documents_to(tg) == []
    assert "approval_expired" in await audited(svc)


async def test_a_late_press_expires_the_request_once(
    admin: FakeUser, second: FakeUser, svc: Services, tg: FakeTelegram, clock: Clock
) -> None:
    await admin.command("backup")
    clock.advance(31 * 60)
    await second.press("Approve", requests_to(second)[0])
    assert documents_to(tg) == []
    assert len(told(tg, admin, "expired: no second admin approved it")) == 1
    assert await pending(svc) == 0


async def test_with_one_admin_exports_backups_and_broadcasts_work_as_before(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
) -> None:
    subscriber = make_user(first_name="Sub")
    await sign(subscriber, "Sub Scriber", notify=True)
    await admin.command("export", f"{CAMPAIGN} csv")
    await admin.command("backup")
    assert documents_to(tg) == [admin.id, admin.id]
    await broadcast_reply(admin, await write_news(admin), f"/broadcast {CAMPAIGN}")
    await admin.press("Confirm")
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, subscriber.id, "hearing is on Monday")) == 1


@pytest.mark.parametrize(
    ("ids", "four_eyes", "warning"),
    [
        ("111", "on", "one admin in ADMIN_IDS"),
        ("111,222", "off", "FOUR_EYES=off"),
        ("111,222", "on", None),
    ],
)
async def test_one_admin_or_four_eyes_off_logs_one_warning_at_start(
    env: dict[str, str],
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    ids: str,
    four_eyes: str,
    warning: str | None,
) -> None:
    from bot.config import load_settings

    settings: Settings = load_settings({**env, "ADMIN_IDS": ids, "FOUR_EYES": four_eyes})
    with caplog.at_level(logging.WARNING):
        app = await start_app(settings, tg)
        await stop_app(app)
    lines = [r.getMessage() for r in caplog.records if "ADMIN_IDS" in r.getMessage()]
    lines += [r.getMessage() for r in caplog.records if "FOUR_EYES" in r.getMessage()]
    if warning is None:
        assert lines == []
    else:
        assert len({line for line in lines}) == 1 and warning in lines[0]


async def _broadcast_with_link(admin: FakeUser) -> None:
    text = "Re-confirm your signature here: t.me/not_our_bot"
    await admin._send_fields({"text": text}, None, False)
    source = next(m.raw for m in reversed(admin.all_messages) if m.text == text)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    await admin.press("Confirm")


async def test_a_link_in_a_broadcast_needs_the_second_admin(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    tg: FakeTelegram,
) -> None:
    subscriber = make_user(first_name="Sub")
    await sign(subscriber, "Sub Scriber", notify=True)
    # One admin: refused, whatever form the link takes.
    await _broadcast_with_link(admin)
    await app.runtime.broadcaster.join()
    assert "a link needs a second admin's approval" in admin.last.text
    assert "t.me/not_our_bot" in admin.last.text
    assert messages_with(tg, subscriber.id, "not_our_bot") == []
    # Unless the operator allows it.
    svc.settings = replace(svc.settings, broadcast_links="allow")
    await admin.press("Confirm", admin.messages[-2])
    await app.runtime.broadcaster.join()
    assert len(messages_with(tg, subscriber.id, "not_our_bot")) == 1


async def test_with_two_admins_the_approver_is_shown_every_link(
    app: BotApp,
    admin: FakeUser,
    second: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
) -> None:
    subscriber = make_user(first_name="Sub")
    await sign(subscriber, "Sub Scriber", notify=True)
    await _broadcast_with_link(admin)
    [request] = requests_to(second)
    assert "Links in it: t.me/not_our_bot" in request.text
    await second.press("Refuse", request)
    await app.runtime.broadcaster.join()
    assert messages_with(tg, subscriber.id, "not_our_bot") == []


async def test_a_purge_removes_a_wave_of_spam_after_a_second_admin_approves(
    admin: FakeUser,
    second: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    clock: Clock,
) -> None:
    await sign(make_user(first_name="R"), "Real Person")
    clock.advance(3600)
    wave_start = int(clock.now) // 60 * 60
    for index in range(3):
        await sign(make_user(first_name=f"B{index}"), f"Bot Spam{index}")
    clock.advance(600)
    await sign(make_user(first_name="L"), "Later Person")
    clock.advance(3600)
    real, *spam, later = await signature_numbers(svc)
    start = _utc(wave_start)
    end = _utc(wave_start + 300)
    await admin.command("purge", f"{CAMPAIGN} {start} {end}")
    assert await signature_numbers(svc) == [real, *spam, later]
    [request] = requests_to(second)
    assert (
        "a bulk removal of signatures" in request.text and "Concerns: 3 signatures" in request.text
    )
    assert "Spam" not in request.text
    await second.press("Approve", request)
    assert await signature_numbers(svc) == [real, later]
    assert "3 signatures of" in admin.last.text and "were removed" in admin.last.text


async def test_with_one_admin_a_purge_is_confirmed_by_that_admin(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    start = int(clock.now) // 60 * 60
    await sign(make_user(first_name="B"), "Bot Spam")
    clock.advance(120)
    await admin.command("purge", f"{CAMPAIGN} {_utc(start)} {_utc(start + 60)}")
    assert "1 signature of" in admin.last.text and "Bot" not in admin.last.text
    await admin.press("Remove 1 signature")
    assert await signature_numbers(svc) == []


async def test_unhiding_a_name_an_admin_hid_needs_the_second_admin(
    admin: FakeUser,
    second: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
) -> None:
    moderator = make_user(first_name="Mo", language_code="en")
    svc.settings = replace(svc.settings, moderator_ids=frozenset({moderator.id}))
    await sign(make_user(first_name="A"), "Anna Admin-Hidden")
    await sign(make_user(first_name="M"), "Max Mod-Hidden")
    by_admin, by_moderator = await signature_numbers(svc)
    await admin.command("hide", str(by_admin))
    await moderator.command("hide", str(by_moderator))
    await moderator.command("unhide", str(by_moderator))  # a moderator's hide: no approval
    assert "is no longer hidden" in moderator.last.text
    await moderator.command("unhide", str(by_admin))
    assert "Nothing was done yet" in moderator.last.text
    [request] = requests_to(second)
    assert "Asked by: a moderator" in request.text and "Anna" not in request.text
    assert await _hidden(svc) == [by_admin]
    await second.press("Approve", request)
    assert await _hidden(svc) == []
    assert f"Name #{by_admin} is no longer hidden." in moderator.last.text


async def _hidden(svc: Services) -> list[int]:
    rows = await svc.db.fetchall("SELECT number FROM signatures WHERE review = 'hidden'")
    return [int(r[0]) for r in rows]


def _utc(moment: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M")


async def test_help_shows_an_admin_purge_and_four_eyes_and_a_supporter_neither(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await admin.command("help")
    assert "/purge — remove a wave of spam signatures by time window" in admin.last.text
    assert "wait until another admin approves" in admin.last.text
    supporter = make_user(first_name="S")
    await supporter.command("help")
    assert "/purge" not in supporter.last.text and "For admins" not in supporter.last.text
