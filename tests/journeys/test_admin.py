"""Admin commands as an admin sees them, and as everybody else does (unknown commands)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from bot.core.services import Services
from bot.storage import admin as admin_store
from tests.conftest import Clock
from tests.support.admin import signature_numbers, unknown_reply
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

ADMIN_COMMANDS = [
    "/export medical-access",
    "/stats medical-access",
    "/goal medical-access",
    "/remove 1",
    "/block 1",
    "/broadcast medical-access",
    "/backup",
    "/reload",
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_non_admin_gets_the_unknown_command_reply(
    make_user: Callable[..., FakeUser], tg: FakeTelegram, command: str
) -> None:
    user = make_user(first_name="Eve")
    expected = await unknown_reply(user)
    sent_before = len(tg.calls_to(chat_id=user.id))
    await user.send(command)
    assert user.last.text == expected
    new_calls = tg.calls_to(chat_id=user.id)[sent_before:]
    assert [c.method for c in new_calls] == ["sendMessage"]  # no document, photo or buttons


async def test_admin_command_in_a_group_is_ignored_like_unknown_ones(
    tg: FakeTelegram, admin: FakeUser
) -> None:
    group = tg.group()
    await tg.add_bot_to_group(group, admin)
    before = len(tg.calls_to("sendMessage", chat_id=group.id))
    await admin.command("export", "medical-access", chat=group)
    await admin.command("nosuchcommand", chat=group)
    assert len(tg.calls_to("sendMessage", chat_id=group.id)) == before
    assert not tg.calls_to("sendDocument")


async def test_every_admin_action_is_audited_without_names(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Zoë"), "Zoë Secretname")
    await admin.send("/export medical-access")
    await admin.send("/stats medical-access")
    await admin.send("/goal medical-access next 900")
    entries = await admin_store.audit_entries(svc.db)
    assert [e.action for e in entries] == ["goal_next", "stats", "export"]
    who = admin_store.organiser_ref(svc.settings.signer_key, admin.id)
    assert all(e.organiser == who and e.level == "admin" for e in entries)
    assert not any("Secretname" in e.detail for e in entries)


async def test_commands_ask_which_campaign_when_there_are_several(admin: FakeUser) -> None:
    await admin.send("/stats")
    assert "Which campaign?" in admin.last.text
    assert "medical-access" in admin.last.text and "open-doors-letter" in admin.last.text


# -- /stats ------------------------------------------------------------------------------


async def test_stats_photo_with_caption_and_chart(
    admin: FakeUser, make_user: Callable[..., FakeUser], clock: Clock, tg: FakeTelegram
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    clock.advance(-3 * 86400)
    await sign(make_user(first_name="Ben", language_code="ru"), "Бен Два")
    clock.advance(3 * 86400)
    await sign(make_user(first_name="Cat"), "Cat Three", public=False)
    await admin.send("/stats medical-access")
    msg = next(m for m in reversed(admin.messages) if m.photo)
    assert msg.photo is not None
    assert msg.caption is not None and len(msg.caption) <= 1024
    assert "Signatures: 3" in msg.caption
    # Three signatures: every count under SMALL_COUNT (10) shows as "<10", every language and
    # source is in "other".
    assert "Today: +<10 −<10 · last 7 days: +<10 −<10" in msg.caption
    assert "Withdrawn by signers: <10 · removed by organisers: <10" in msg.caption
    assert "other <10" in msg.caption and "English" not in msg.caption
    assert "Other (sources under 10 and visitors without a link): <10 / <10" in msg.caption
    image = Image.open(io.BytesIO(msg.photo))
    assert image.format == "PNG" and image.size[0] >= 600


async def test_stats_caption_stays_within_the_limit_with_many_sources(
    admin: FakeUser, svc: Services
) -> None:
    for i in range(80):
        code = f"s{i:07d}"
        await svc.db.execute(
            "INSERT INTO sources (code, kind, label, created_at) VALUES (?, 'named', ?, 0)",
            (code, f"A rather long source label number {i}"),
        )
        await svc.db.execute(
            "INSERT INTO source_visits (campaign, source, visits, signed) VALUES (?, ?, ?, ?)",
            (CAMPAIGN, code, i + 100, i + 10),
        )
    await admin.send("/stats medical-access")
    caption = next(m for m in reversed(admin.messages) if m.photo).caption
    assert caption is not None and len(caption) <= 1024
    assert "\u2068A rather long source label number 79\u2069: 89 / 179" in caption
    assert caption.endswith("… and more")


# -- /goal -------------------------------------------------------------------------------


async def test_goal_show_set_next_and_ladder(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await admin.send("/goal medical-access")
    text = admin.last.text
    assert "Next goal: 500" in text
    assert "Goal ladder (from the campaign file): 500 · 1,000 · 2,500" in text

    await admin.send("/goal medical-access next 750")
    assert "Next goal: 750" in admin.last.text
    assert "Next goal set by an admin: 750" in admin.last.text
    reader = make_user(first_name="Rea")
    await reader.send("/progress")
    assert any("next goal 750" in m.text for m in reader.messages)

    await admin.send("/goal medical-access next off")
    await admin.send("/goal medical-access ladder 10, 20,50")
    text = admin.last.text
    assert "Goal ladder (set by an admin): 10 · 20 · 50" in text
    assert "Next goal: 10" in text
    await reader.send("/progress")
    assert any("next goal 10\n" in m.text for m in reader.messages)

    await admin.send("/goal medical-access ladder 50,20")
    assert "/goal [campaign] ladder" in admin.last.text  # the usage, nothing stored
    await admin.send("/goal medical-access ladder default")
    assert "Next goal: 500" in admin.last.text


async def test_goal_next_must_be_above_the_count(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    await admin.send("/goal medical-access next 1")
    assert "must be above the current count (1)" in admin.last.text


# -- moderation --------------------------------------------------------------------------


async def test_remove_asks_then_erases_and_the_count_goes_down(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    await sign(make_user(first_name="Bob"), "Bob Two")
    first, second = await signature_numbers(svc)
    await admin.send(f"/remove {first}")
    assert f"Remove signature #{first}" in admin.last.text and "Ann One" in admin.last.text
    assert await signature_numbers(svc) == [first, second]  # nothing before confirming
    await admin.press("Remove")
    assert f"Signature #{first} removed." in admin.last.text
    assert "now has 1 signature." in admin.last.text
    assert await signature_numbers(svc) == [second]
    await admin.send(f"/remove {first}")
    assert f"There is no signature #{first}." in admin.last.text


async def test_remove_cancel_changes_nothing(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    [number] = await signature_numbers(svc)
    await admin.send(f"/remove {number}")
    await admin.press("Cancel")
    assert "Nothing was changed" in admin.last.text
    assert await signature_numbers(svc) == [number]


async def test_block_erases_and_the_person_cannot_sign_again(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    spammer = make_user(first_name="Spam")
    await sign(spammer, "Spam Bot")
    [number] = await signature_numbers(svc)
    await admin.send(f"/block {number}")
    await admin.press("Remove and block")
    assert "can no longer sign" in admin.last.text
    assert await signature_numbers(svc) == []
    await spammer.start(CAMPAIGN)
    await spammer.press("Sign")
    assert spammer.last_answer is not None
    assert "cannot sign" in str(spammer.last_answer.get("text"))
    assert await signature_numbers(svc) == []


async def test_forged_remove_callback_from_a_non_admin_does_nothing(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    victim = make_user(first_name="Ann")
    await sign(victim, "Ann One")
    attacker = make_user(first_name="Mallory")
    await attacker.send("/help")
    [number] = await signature_numbers(svc)
    signed_at = await svc.db.scalar("SELECT signed_at FROM signatures")
    for action in ("rm", "blk"):  # well-formed data: only the gate can refuse it
        await attacker.press_data(f"1|{action}|{number}|{signed_at}", attacker.last)
    assert await signature_numbers(svc) == [number]
    assert "removed" not in attacker.last.text
    assert await admin_store.audit_entries(svc.db) == []


async def test_a_stale_block_button_cannot_reach_whoever_signed_next(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    """The button made for Ann's signature, pressed after Ann withdrew and Bob signed."""
    ann = make_user(first_name="Ann")
    await sign(ann, "Ann One")
    [number] = await signature_numbers(svc)
    await admin.send(f"/block {number}")
    stale = admin.last
    await ann.send("/withdraw")
    await ann.press("Yes, withdraw")
    clock.advance(60)
    bob = make_user(first_name="Bob")
    await sign(bob, "Bob Two")  # before AUTOINCREMENT he would get Ann's old number
    numbers = await signature_numbers(svc)
    await admin.press("Remove and block", stale)
    assert f"no longer there: #{number} was withdrawn or removed" in admin.last.text
    assert "Nothing was changed." in admin.last.text
    assert await signature_numbers(svc) == numbers
    assert await svc.db.fetchall("SELECT name FROM signatures") == [("Bob Two",)]
    assert [e.action for e in await admin_store.audit_entries(svc.db)] == ["preview"]


# -- /backup and /reload -----------------------------------------------------------------


async def test_backup_is_a_valid_sqlite_file_with_the_signatures(
    admin: FakeUser, make_user: Callable[..., FakeUser], tmp_path: Path
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    await admin.send("/backup")
    document = admin.last.document
    assert document is not None
    data, filename = document
    assert filename.endswith(".sqlite3") and data.startswith(b"SQLite format 3\x00")
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT name FROM signatures").fetchall() == [("Ann One",)]


async def test_reload_reports_file_and_field_and_keeps_the_old_content(
    admin: FakeUser, svc: Services, campaigns_dir: Path
) -> None:
    before = svc.campaigns
    toml = campaigns_dir / "medical-access" / "campaign.toml"
    toml.write_text(toml.read_text().replace('status = "open"', 'status = "maybe"'))
    await admin.send("/reload")
    text = admin.last.text
    assert "not reloaded" in text
    assert "File: medical-access/campaign.toml" in text and "Field: status" in text
    assert svc.campaigns is before
    assert svc.campaign(CAMPAIGN) is not None


async def test_reload_applies_good_content(
    admin: FakeUser, svc: Services, campaigns_dir: Path
) -> None:
    en = campaigns_dir / "medical-access" / "en.md"
    en.write_text(en.read_text(encoding="utf-8").replace('title = "', 'title = "NEW ', 1))
    await admin.send("/reload")
    assert "Reloaded 2 campaigns." in admin.last.text
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None and campaign.texts["en"].title.startswith("NEW ")


async def test_stats_add_up_after_a_removal_and_tell_removals_from_withdrawals(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    svc.settings = replace(svc.settings, small_count=1)  # every count exact
    signers = [make_user(first_name=f"P{i}") for i in range(6)]
    for i, person in enumerate(signers):
        await sign(person, f"Person {i}")
    first, *_ = await signature_numbers(svc)
    await admin.send(f"/block {first}")
    await admin.press("Remove and block")
    await signers[5].send("/withdraw")
    await signers[5].press("Yes, withdraw")
    await admin.send(f"/stats {CAMPAIGN}")
    caption = next(m for m in reversed(admin.messages) if m.photo).caption
    assert caption is not None
    assert "Signatures: 4\n" in caption
    assert "Today: +6 −2 · last 7 days: +6 −2\n" in caption  # 6 − 2 = 4
    assert "Withdrawn by signers: 1 · removed by organisers: 1\n" in caption
