"""Signer safety against an attacker who holds the database and the signer key.

Each test names the promise it proves; the README's threat model points here.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot import cli
from bot.config import SettingsError, load_settings
from bot.core.retention import apply_retention
from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.domain.signatures import Pseudonyms, signer_id
from bot.domain.text_rules import Problem, check_name
from bot.ops.signer_key import with_signer_key
from bot.storage import broadcasts as broadcast_store
from bot.storage.sqlite import SqliteDatabase
from bot.telegram import jobs
from tests.conftest import ROOT, Clock
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, close_campaign, expire_drafts, press_action, sign

LETTER = "open-doors-letter"


def _bytes(svc: Services) -> bytes:
    path = Path(svc.settings.database_path)
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _traces(svc: Services, user_id: int) -> list[str]:
    """Every keyed id an attacker with the key computes for this person, found in the file."""
    ids = Pseudonyms(svc.settings.signer_key)
    base = signer_id(svc.settings.signer_key, user_id)
    candidates = {
        "old base id": base,
        "slow base id": svc.bases.of(user_id),
        "person": svc.person(user_id),
        "block": svc.block(user_id),
        **{f"signature in {c}": svc.signer(user_id, c) for c in (CAMPAIGN, LETTER)},
        **{f"subscription in {c}": svc.subscriber(user_id, c) for c in (CAMPAIGN, LETTER)},
        **{f"old form in {c}": ids.signer_of(base, c) for c in (CAMPAIGN, LETTER)},
    }
    raw = _bytes(svc)
    found = [what for what, value in candidates.items() if value.encode() in raw]
    if str(user_id).encode() in raw:
        found.append("telegram id")
    return found


async def test_attacker_with_database_and_key_finds_no_visitor_withdrawn_or_anonymised(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    visitor = make_user(first_name="Vera")
    await visitor.send("/language")
    await visitor.press("Polski")
    await visitor.start(CAMPAIGN)
    await press_action(visitor, "sign|")  # sees the privacy notice, types nothing, leaves
    withdrawn = make_user(first_name="Wanda")
    await sign(withdrawn, name="Wanda Gone", notify=True)
    await withdrawn.send("/withdraw")
    await withdrawn.press("Yes, withdraw")
    archived = make_user(first_name="Anna")
    await sign(archived, name="Anna Archived", campaign=LETTER, notify=True)
    stays = make_user(first_name="Stefan")
    await sign(stays, name="Stefan Stays")

    close_campaign(svc, LETTER, clock)
    svc.settings = replace(svc.settings, retention_days=30)
    await expire_drafts(svc, clock)
    clock.advance(31 * 86_400)
    await apply_retention(svc)
    for person in (visitor, withdrawn, archived):
        assert _traces(svc, person.id) == [], person
    assert _traces(svc, stays.id) == [f"signature in {CAMPAIGN}"]  # the probe does see
    raw = _bytes(svc)
    assert b"Wanda Gone" not in raw and b"Anna Archived" not in raw


async def test_mydata_lists_everything_that_remains(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.send("/language")
    await u.press("English")
    [data] = await u.send("/mydata")
    assert "No signatures." in data.text and "Language: English" in data.text
    await u.send("/stop")  # stops updates only: the choice stays, and /mydata lists it
    [data] = await u.send("/mydata")
    assert "Language: English" in data.text
    assert "from your Telegram settings, nothing stored" not in data.text


async def test_withdrawing_the_last_signature_removes_the_preferences(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.send("/language")
    await u.press("English")
    await sign(u, name="Pref Person")
    await sign(u, name="Pref Person", campaign=LETTER)
    await u.send("/withdraw")
    await u.press("Doctors and family visits")
    await u.press("Yes, withdraw")
    assert await svc.db.scalar("SELECT COUNT(*) FROM preferences") == 1  # one signature left
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    assert await svc.db.scalar("SELECT COUNT(*) FROM preferences") == 0


async def test_signatures_of_one_person_share_no_pseudonym_across_campaigns(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await sign(u, name="Two Campaigns")
    await sign(u, name="Two Campaigns", campaign=LETTER)
    rows = await svc.db.fetchall("SELECT signer, seal FROM signatures")
    (a_signer, a_seal), (b_signer, b_seal) = rows
    assert a_signer != b_signer and a_seal != b_seal
    assert a_seal[:32] != b_seal[:32]  # fresh nonces: seals do not repeat either
    mine = await u.send("/mysignature")
    assert len(mine) == 2 and all("Two Campaigns" in m.text for m in mine)


# -- the key and the database belong together ----------------------------------------------


def _env_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)


def test_restart_with_another_key_exits_2_with_one_line(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _env_in(tmp_path, monkeypatch, env)
    assert cli.main(["migrate"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SIGNER_KEY", "c0" * 32)
    assert cli.main(["migrate"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "signer key is not the one this database was made with" in line
    assert "5e" * 16 not in line and "c0" * 16 not in line  # no key, not even a part


def test_lost_key_file_is_never_replaced_when_signatures_exist(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    env["SIGNER_KEY_FILE"] = str(tmp_path / "keys" / "signer.key")
    with_signer_key(load_settings(env))  # a new install: the key file is made
    db_path = Path(env["DATABASE_PATH"])
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as raw:
        raw.execute("CREATE TABLE signatures (number INTEGER PRIMARY KEY)")
        raw.execute("INSERT INTO signatures VALUES (1)")
    Path(env["SIGNER_KEY_FILE"]).unlink()
    with pytest.raises(SettingsError, match=r"missing, but .* already holds signatures"):
        with_signer_key(load_settings(env))
    assert not Path(env["SIGNER_KEY_FILE"]).exists()


def test_new_installs_keep_the_key_outside_the_data_folder(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    settings = with_signer_key(load_settings(env))
    key_file = tmp_path / "config" / "petition-bot" / "signer.key"
    assert key_file.read_bytes().strip() == settings.signer_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not (Path(env["DATABASE_PATH"]).parent / "signer.key").exists()
    assert settings.warnings == ()


def test_key_beside_the_database_keeps_working_with_a_warning(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    beside = Path(env["DATABASE_PATH"]).parent / "signer.key"
    beside.parent.mkdir(parents=True)
    beside.write_text("ab" * 32)
    beside.chmod(0o600)
    settings = with_signer_key(load_settings(env))
    assert settings.signer_key == b"ab" * 32
    [warning] = settings.warnings
    assert "sits beside the database" in warning


def test_a_key_file_others_can_read_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    key_file = tmp_path / "signer.key"
    key_file.write_text("ab" * 32)
    key_file.chmod(0o644)
    env["SIGNER_KEY_FILE"] = str(key_file)
    with pytest.raises(SettingsError, match="can be read by other users"):
        with_signer_key(load_settings(env))


async def test_a_new_database_needs_a_64_hex_digit_key(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env_in(tmp_path, monkeypatch, {**env, "SIGNER_KEY": "x" * 40})
    assert await _in_thread(cli.main, ["migrate"]) == 2


async def _in_thread(func: Callable[..., Any], *args: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(func, *args)


async def _legacy_database(path: Path, key: bytes, user_id: int) -> None:
    """A database as version 3 of the bot left it: one pseudonym per person everywhere."""
    legacy = path.parent / "legacy-migrations"
    legacy.mkdir(parents=True)
    for name in ("0001_initial.sql", "0002_admin.sql", "0003_bot_state.sql"):
        (legacy / name).write_bytes((ROOT / "migrations" / name).read_bytes())
    db = SqliteDatabase(path)
    await db.open(legacy)
    base = signer_id(key, user_id)
    await db.execute(
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
        " VALUES (?, ?, 'Old Timer', 1, 'en', 1790000000)",
        (CAMPAIGN, base),
    )
    await db.execute("INSERT INTO counters (campaign, signatures) VALUES (?, 1)", (CAMPAIGN,))
    await db.execute(
        "INSERT INTO signers (signer, language, privacy_seen, blocked, last_campaign)"
        " VALUES (?, 'pl', 1, 1, ?)",
        (base, CAMPAIGN),
    )
    await db.close()


async def test_an_old_database_with_its_old_key_keeps_every_signer(
    env: dict[str, str], tmp_path: Path, tg: FakeTelegram, clock: Clock
) -> None:
    """A legacy 40-character key keeps working exactly; the data step moves every row."""
    from tests.conftest import start_app, stop_app

    legacy_key = "legacy-key-of-forty-characters-0123456789"
    settings = load_settings({**env, "SIGNER_KEY": legacy_key})
    user = tg.new_user("Olga", language_code="en")
    await _legacy_database(Path(settings.database_path), legacy_key.encode(), user["id"])
    app = await start_app(settings, tg, clock)
    try:
        u = FakeUser(tg, app, user)
        svc: Services = app.runtime.services
        [mine] = await u.send("/mysignature")
        assert "Old Timer" in mine.text
        assert svc.i18n.get("pl")._("Name") in mine.text  # the Polish choice was kept
        assert await svc.db.scalar("SELECT COUNT(*) FROM blocks") == 1  # the block too
        tables = {r[0] for r in await svc.db.fetchall("SELECT name FROM sqlite_master")}
        assert "signers" not in tables
        assert app.runtime.upgrade is not None
        await app.runtime.upgrade  # the background move ends with the journal purge
        assert set(_traces(svc, u.id)) == {f"signature in {CAMPAIGN}", "block", "person"}
    finally:
        await stop_app(app)


# -- raw ids go on every opt-out path -------------------------------------------------------


async def _pending_broadcast(svc: Services, campaign: str = CAMPAIGN) -> int:
    broadcast = await broadcast_store.draft_for(svc.db, campaign, 0, svc.now())
    await broadcast_store.set_draft_text(svc.db, broadcast, "en", "Update!", default=True)
    await broadcast_store.start(svc.db, broadcast)
    return broadcast


async def _raw_ids(svc: Services, user_id: int) -> dict[str, int]:
    """Rows holding the person's chat id, sealed (the key opens it) or in clear."""
    found = {}
    for table in ("subscriptions", "deliveries"):
        rows = await svc.db.fetchall(f"SELECT chat, chat_id FROM {table}")
        found[table] = sum(
            user_id in (clear, svc.ids.unseal_chat(sealed)) for sealed, clear in rows
        )
    return found


@pytest.mark.parametrize(
    "path",
    [
        "withdraw",
        "stop",
        "notifications off",
        "stop button under an update",
        "leave no trace and stop all updates",
        "blocked the bot",
    ],
)
async def test_every_opt_out_erases_the_raw_id_pending_deliveries_included(
    make_user: Callable[..., FakeUser], svc: Services, path: str
) -> None:
    u = make_user()
    await sign(u, name="Opt Out", notify=True)
    await _pending_broadcast(svc)
    assert await _raw_ids(svc, u.id) == {"subscriptions": 1, "deliveries": 1}
    if path == "withdraw":
        await u.send("/withdraw")
        await u.press("Yes, withdraw")
    elif path == "stop":
        await u.send("/stop")
    elif path == "notifications off":
        await press_action(u, f"notify|{CAMPAIGN}|0")
    elif path == "stop button under an update":
        await u.press_data(f"1|stop|{CAMPAIGN}", u.last)  # the button a broadcast carries
    elif path == "leave no trace and stop all updates":
        await press_action(u, "cleanall")
    else:
        await u.block_bot()
    assert await _raw_ids(svc, u.id) == {"subscriptions": 0, "deliveries": 0}
    assert str(u.id).encode() not in _bytes(svc)


# -- erasure is finished, or the signer is told the truth -----------------------------------


async def test_withdrawal_during_an_export_is_erased_between_batches(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    users = [make_user() for _ in range(5)]
    for i, u in enumerate(users):
        await sign(u, name=f"Exported Person{i}")
    stream = svc.db.stream_batches(
        "SELECT number, name FROM signatures WHERE campaign = ?", (CAMPAIGN,), batch=2
    )
    first = await anext(stream)
    await users[4].send("/withdraw")
    await users[4].press("Yes, withdraw")
    assert "withdrawn and erased" in users[4].last.text
    rest = [row async for rows in stream for row in rows]
    names = [r[1] for r in first + rest]
    assert "Exported Person4" not in names and len(names) == 4  # a snapshot minus withdrawals
    assert b"Exported Person4" not in _bytes(svc)


async def test_a_reader_in_the_way_makes_the_bot_say_the_erasure_finishes_later(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await sign(u, name="Slow Erasure")
    reader = sqlite3.connect(svc.settings.database_path)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM signatures").fetchone()  # holds an old snapshot
    try:
        await u.send("/withdraw")
        await u.press("Yes, withdraw")
        assert "the next clean-up, which runs every 10 minutes" in u.last.text
        assert "withdrawn and erased" not in u.last.text
    finally:
        reader.rollback()
        reader.close()
    await jobs.expire_drafts(SimpleNamespace(svc=svc))  # the periodic purge finishes it
    assert b"Slow Erasure" not in _bytes(svc)


async def test_cancel_and_edit_leave_no_old_value_in_the_journal(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Cancelled Name")
    [reply] = await u.send("/cancel")
    assert "Nothing was recorded" in reply.text
    assert b"Cancelled Name" not in _bytes(svc)
    await sign(u, name="First Spelling")
    await u.send("/mysignature")
    await u.press("Edit")
    await u.send("Second Spelling")
    await u.press("Save, show my name")
    assert b"First Spelling" not in _bytes(svc)


# -- what the database holds drives withdrawal and retention --------------------------------


async def test_a_deleted_campaign_folder_hides_nothing(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u, other = make_user(), make_user()
    await sign(u, name="Folder Gone", campaign=LETTER)
    await sign(other, name="Folder Retained", campaign=LETTER)
    svc.campaigns = CampaignSet(c for c in svc.campaigns.all() if c.slug != LETTER)
    await u.send("/withdraw")
    assert LETTER in u.last.text
    await u.press("Yes, withdraw")
    assert b"Folder Gone" not in _bytes(svc)
    svc.settings = replace(svc.settings, retention_days=30)
    await apply_retention(svc)  # first sight of it closed starts the clock
    clock.advance(31 * 86_400)
    assert (LETTER, 1, 0) in await apply_retention(svc)
    assert b"Folder Retained" not in _bytes(svc)


# -- files ------------------------------------------------------------------------------------


async def test_database_files_are_private(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(), name="Private File")
    path = Path(svc.settings.database_path)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["\u3164\u3164\u3164", "\u115f\u1160", "\uffa0\uffa0", "⠀⠀⠀"])
def test_names_made_of_blank_looking_letters_are_refused(blank: str) -> None:
    assert check_name(blank).problem is Problem.EMPTY
    assert check_name(f"Ann{blank}Lee").value == "Ann Lee"


async def test_privacy_and_withdrawal_say_how_long_a_name_stays_in_backups(
    make_user: Callable[..., FakeUser], svc: Services, tmp_path: Path
) -> None:
    from bot.config import backup_window_days

    svc.settings = replace(svc.settings, backup_dir=tmp_path / "backups")
    days = backup_window_days(svc.settings)
    assert days
    line = f"may remain for up to {days} days in the organisers' encrypted backups"
    u = make_user()
    [notice] = await u.send("/privacy")
    assert line in notice.text
    await sign(u, name="Backup Person")
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    assert line in u.last.text
