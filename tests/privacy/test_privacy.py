"""Signer safety: what a leaked database, the logs and group chats reveal."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.core import exports
from bot.core.housekeeping import recount
from bot.core.retention import apply_retention
from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.ops.logs import configure_logging
from bot.storage import admin as admin_store
from bot.storage.signatures import COUNTS
from tests.conftest import TOKEN, Clock
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign


def _columns_holding(path: Path, value: int | str) -> list[str]:
    """Every table.column whose value equals `value`, read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        found = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]:
                hits = conn.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE {column} = ? OR CAST({column} AS TEXT) = ?",
                    (value, str(value)),
                ).fetchone()[0]
                if hits:
                    found.append(f"{table}.{column}")
        return found
    finally:
        conn.close()


async def test_database_file_holds_no_id_or_username_of_non_opted_in_signers(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    quiet = [
        make_user(first_name="Quiet", username=f"quiet_user_{i}", language_code="ru")
        for i in range(3)
    ]
    for i, u in enumerate(quiet):
        await sign(u, name=f"Quiet Signer {i}", role="Doctor")
    loud = make_user(first_name="Loud", username="loud_user")
    await sign(loud, name="Loud Signer")
    await loud.press("Notify me about this campaign")
    withdrawn = make_user(username="gone_user")
    await sign(withdrawn, name="Gone Signer")
    await withdrawn.press("Notify me about this campaign")
    await withdrawn.send("/withdraw")
    await withdrawn.press("Yes, withdraw")
    path = Path(svc.settings.database_path)
    raw = path.read_bytes() + Path(f"{path}-wal").read_bytes()
    for u in [*quiet, withdrawn, loud]:  # the subscriber's id is kept only sealed
        assert str(u.id).encode() not in raw
        assert u.user["username"].encode() not in raw
        assert _columns_holding(path, u.id) == []
    assert b"loud_user" not in raw  # usernames are never stored, even with consent
    assert b"Gone Signer" not in raw  # withdrawn = erased (secure_delete), WAL included


async def test_logs_at_info_hold_no_token_name_or_id(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN], stream)
    try:
        users = [make_user(first_name="Logan", last_name="Secretname", username="logan_x")]
        await sign(users[0], name="Logan Secretname", role="Judge", org="Hidden Org")
        await users[0].send("/mydata")
        await users[0].send("/withdraw")
        await users[0].press("Yes, withdraw")
        logging.getLogger("bot.test").info("probe line")
    finally:
        logging.getLogger().handlers.clear()
    text = stream.getvalue()
    assert "probe line" in text  # the capture works
    for secret in (TOKEN, "Secretname", "Logan", "logan_x", str(users[0].id), "Hidden Org"):
        assert secret not in text, secret


async def test_nothing_posted_in_a_group_contains_a_signer_name(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    signers = [make_user(first_name=f"Visible{i}") for i in range(3)]
    for i, u in enumerate(signers):
        await sign(u, name=f"Publicname Number{i}", org="Exposed Org")
    group = tg.group(title="Watched group")
    await tg.add_bot_to_group(group, by=signers[0])
    for command in ("petition", "progress", "share", "start"):
        await signers[1].command(command, chat=group)
    results = await signers[2].inline_query("")
    posted = [m.text for m in group.all_messages if m.from_bot]
    posted += [r["input_message_content"]["message_text"] for r in results]
    assert len(posted) >= 5
    for text in posted:
        assert "Publicname" not in text and "Exposed Org" not in text and "Visible" not in text


async def test_retention_anonymises_exactly_the_closed_campaign(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    for i in range(3):
        await sign(make_user(), name=f"Petition Signer{i}", role="Teacher")
    letter_user = make_user()
    await sign(letter_user, name="Letter Signer", campaign="open-doors-letter")
    await letter_user.press("Notify me about this campaign")
    closed_day = date.fromtimestamp(clock.now)
    svc.campaigns = CampaignSet(
        replace(c, is_open=False, closed_on=closed_day) if c.slug == "open-doors-letter" else c
        for c in svc.campaigns.all()
    )
    svc.settings = replace(svc.settings, retention_days=30)
    assert await apply_retention(svc) == []  # not yet: 30 days have not passed
    clock.advance(31 * 86_400)
    assert await apply_retention(svc) == [("open-doors-letter", 1, 1)]
    rows = await svc.db.fetchall("SELECT campaign, name, role, signer FROM signatures")
    # Not a row left: no second of signing, language, source or review state.
    assert [r for r in rows if r[0] == "open-doors-letter"] == []
    petition = [r for r in rows if r[0] == CAMPAIGN]
    assert len(petition) == 3 and all(r[1] and r[2] == "Teacher" for r in petition)
    counts = await svc.db.fetchall(
        f"SELECT campaign, signatures FROM {COUNTS} AS counts ORDER BY campaign"
    )
    assert counts == [(CAMPAIGN, 3), ("open-doors-letter", 1)]
    assert (
        await svc.db.scalar("SELECT SUM(signed) FROM activity WHERE campaign = 'open-doors-letter'")
        == 1
    )
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    assert await apply_retention(svc) == [("open-doors-letter", 0, 0)]  # idempotent
    # The hourly recount compares counters with rows: it must not "fix" the count to 0.
    assert await recount(svc) == []
    letter = svc.campaign("open-doors-letter")
    assert letter is not None
    assert await exports.signature_total(svc, letter) == 1  # the PDF's total
    assert (await admin_store.stats(svc.db, letter.slug, svc.now())).total == 1  # /stats
    await svc.db.execute(
        "UPDATE counter_shards SET signatures = 7 WHERE campaign = 'open-doors-letter'"
    )
    assert await recount(svc) == [("open-doors-letter", 7, 1)]  # drift is still fixed


async def test_privacy_notice_states_retention(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    svc.settings = replace(svc.settings, retention_days=90)
    [notice] = await make_user().send("/privacy")
    assert "Signatures are erased 90 days after a campaign closes; only counts" in notice.text


async def test_mydata_shows_everything_held(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    await sign(u, name="Mira Data", role="Nurse", org="Clinic Nine")
    await u.press("Notify me about this campaign")
    await u.send("/language")
    await u.press("English")
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")  # switches it on
    await u.start("open-doors-letter")
    await u.press("Sign")  # an unfinished signature, waiting for the name
    [data] = await u.send("/mydata")
    for expected in (
        "Mira Data",
        "Nurse",
        "Clinic Nine",
        "Shown publicly: yes",
        "Updates: on",
        "Language: English",
        "Doctors and family visits",
        "Automatic clean-up after signing: on",
        "kept with your signature and erased 90 days after your last change",
        "An unfinished signature in \u2068Keep the Doors Open",
        "at the step “your name”; erased on ",
        "Where this conversation began, so that a clean-up can delete its",
    ):
        assert expected in data.text, expected
    [other] = await make_user().send("/mydata")
    assert "No signatures." in other.text
    assert "Automatic clean-up after signing: off" in other.text


async def test_mydata_shows_a_visitor_s_choices_and_when_they_go(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.send("/language")
    await u.press("English")
    await u.start(CAMPAIGN)  # the campaign opened last, and the link it came through
    [data] = await u.send("/mydata")
    for expected in (
        "Language: English",
        "kept only with your unfinished signature and erased 24 hours after your last step",
        "Your choices are erased on ",
        "The campaign you opened last, \u2068Doctors and family visits",
    ):
        assert expected in data.text, expected


async def test_language_says_where_the_choice_is_kept(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    [menu] = await u.send("/language")
    assert "kept only with your unfinished signature and erased 24 hours after" in menu.text
    await sign(u, name="Kept Choice")
    [menu] = await u.send("/language")
    assert "kept with your signature and erased 90 days after your last change" in menu.text
