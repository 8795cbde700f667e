"""Scheduled backups restore: destroy the data directory, restore, and nothing is lost.

The organiser's age key pair is made here, as `age-keygen` would; the bot only ever sees the
public half, and `restore` gets the private half for that one command.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyrage
import pytest
from pyrage import x25519

from bot import cli
from bot.config import Settings, backup_window_days, load_settings
from bot.ops import backups
from bot.ops.lock import RunLock
from bot.telegram import jobs
from bot.telegram.context import BotApp
from bot.telegram.metrics import Metrics
from tests.conftest import ROOT, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import sign

NAMES = ("Ann Keptname", "Boris Notified", "Cleo Withdrawn")
# Everything a restore must bring back as it was (bot_state holds the key fingerprint).
TABLES = ("signatures", "counters", "activity", "subscriptions", "bot_state", "blocks")


pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def identity() -> x25519.Identity:
    return x25519.Identity.generate()


@pytest.fixture
def backup_env(
    env: dict[str, str], tmp_path: Path, identity: x25519.Identity, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The process environment of a bot with encrypted scheduled backups."""
    env = {
        **env,
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_RECIPIENTS": str(identity.to_public()),
        "BACKUP_KEEP": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return env


@pytest.fixture
def key_file(tmp_path: Path, identity: x25519.Identity) -> Path:
    """The organiser's identity, on their own computer (here: outside the data directory)."""
    path = tmp_path / "organiser" / "key.txt"
    path.parent.mkdir()
    path.write_text(f"# created: by the test\n{identity}\n")
    return path


def _snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(database) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}


async def _people(app: BotApp, tg: FakeTelegram) -> list[FakeUser]:
    ann, boris, cleo = (tg.user(app, first_name=n.split()[0]) for n in NAMES)
    await sign(ann, NAMES[0], "Nurse", "City Hospital")
    await sign(boris, NAMES[1], notify=True)
    await sign(cleo, NAMES[2], public=False)
    await cleo.send("/withdraw")
    await cleo.press("Yes, withdraw")
    return [ann, boris, cleo]


def _restore(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["restore", *argv])
    out, err = capsys.readouterr()
    return code, out, err


async def test_backup_destroy_restore_keeps_every_signature_and_serves_again(
    backup_env: dict[str, str],
    tg: FakeTelegram,
    clock: Clock,
    key_file: Path,
    identity: x25519.Identity,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = load_settings(backup_env)
    database = settings.database_path
    app = await start_app(settings, tg, clock)
    ann, boris, _ = await _people(app, tg)
    path = await jobs.run_backup(app.runtime)
    assert path is not None and path.name.endswith(".sqlite3.age")
    metrics: Metrics = app.runtime.metrics
    assert metrics.last_backup == clock.now
    await stop_app(app)
    before = _snapshot(database)
    assert len(before["signatures"]) == 2 and before["subscriptions"]  # Boris asked for news

    data = path.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    for secret in (*NAMES, "City Hospital", backup_env["SIGNER_KEY"]):
        assert secret.encode() not in data
    plain = pyrage.decrypt(data, [identity])
    assert plain.startswith(b"SQLite format 3\x00")
    assert backup_env["SIGNER_KEY"].encode() not in plain  # the key is never in a backup
    assert not list(path.parent.glob(".partial-*"))

    shutil.rmtree(database.parent)  # the disk is gone
    code, out, err = _restore(capsys, str(path), "--identity", str(key_file))
    assert code == 0, err
    assert "restored a backup made" in out and "2 signatures in 1 campaigns" in out
    assert "withdrawals, removals and opt-outs made after" in err
    assert database.stat().st_mode & 0o777 == 0o600
    assert _snapshot(database) == before

    app = await start_app(settings, tg, clock)  # the bot serves the restored database
    ann, boris = (FakeUser(tg, app, tg.users[u.id]) for u in (ann, boris))  # same people
    try:
        await ann.send("/mysignature")
        assert "Ann Keptname" in ann.last.text
        await boris.send("/mysignature")
        assert "Boris Notified" in boris.last.text
        newcomer = tg.user(app, first_name="Dana")
        await sign(newcomer, "Dana Newcomer")
        await newcomer.send("/progress")
        assert "3 signatures" in newcomer.last.text
        svc = app.runtime.services
        assert await svc.db.scalar("SELECT withdrawals FROM counters") == 1
    finally:
        await stop_app(app)
    tg.assert_no_violations()


async def test_restore_refuses_what_would_lose_or_leak_data(
    backup_env: dict[str, str],
    tg: FakeTelegram,
    clock: Clock,
    key_file: Path,
    identity: x25519.Identity,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings(backup_env)
    database = settings.database_path
    app = await start_app(settings, tg, clock)
    early = await jobs.run_backup(app.runtime)  # before anyone withdrew
    await _people(app, tg)
    await jobs.run_backup(app.runtime)  # not due yet: only the erasure record moves
    assert len(backups.list_backups(settings.backup_dir or tmp_path)) == 1
    await stop_app(app)
    assert early is not None

    code, _, err = _restore(capsys, str(early), "--identity", str(key_file))
    assert code == 2 and "exists: a restore goes only into an empty data directory" in err

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    lock = RunLock(database)
    assert lock.acquire()  # as a running bot holds it
    try:
        code, _, err = _restore(capsys, str(early), "--identity", str(key_file))
        assert code == 2 and "is using" in err and "stop it first" in err
    finally:
        lock.release()

    code, _, err = _restore(capsys, str(early))
    assert code == 2 and "the backup is encrypted: pass --identity" in err
    other = tmp_path / "other-key.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    code, _, err = _restore(capsys, str(early), "--identity", str(other))
    assert code == 2 and "cannot be decrypted with that identity" in err

    code, _, err = _restore(capsys, str(early), "--identity", str(key_file))
    assert code == 2 and "older than the last erasure" in err and "--accept-older" in err
    assert not database.exists()

    monkeypatch.setenv("SIGNER_KEY", "7a" * 32)
    code, _, err = _restore(capsys, str(early), "--identity", str(key_file), "--accept-older")
    assert code == 2 and "made with another signer key" in err
    monkeypatch.setenv("SIGNER_KEY", backup_env["SIGNER_KEY"])

    damaged = tmp_path / "damaged.sqlite3"
    plain = pyrage.decrypt(early.read_bytes(), [identity])
    damaged.write_bytes(plain[:4096] + b"\x13" * (len(plain) - 4096))
    code, _, err = _restore(capsys, str(damaged))
    assert code == 2 and "damaged" in err
    assert len(err.strip().splitlines()) == 1  # one line, never a traceback
    assert not database.exists()

    code, _, err = _restore(capsys, str(early), "--identity", str(key_file), "--accept-older")
    assert code == 0, err
    assert "withdrawals or removals are undone" in err
    with sqlite3.connect(database) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM signatures")}
    assert names == set()  # as it was then: before anyone signed


async def test_rotation_keeps_the_newest_and_the_window_follows_the_settings(
    settings: Settings, tg: FakeTelegram, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    settings = replace(settings, backup_dir=folder, backup_keep=2, backup_every_hours=6)
    assert backup_window_days(settings) == 1  # 2 × 6 hours, rounded up to a day
    assert backup_window_days(replace(settings, backup_dir=None)) is None
    assert backup_window_days(replace(settings, backup_keep=7, backup_every_hours=24)) == 8
    app = await start_app(settings, tg, clock)
    try:
        made = []
        for _ in range(4):
            path = await jobs.run_backup(app.runtime)
            assert path is not None and path.name.endswith(".sqlite3")  # no recipients: plain
            assert await jobs.run_backup(app.runtime) is None  # not due again yet
            made.append(path)
            clock.advance(6 * 3600)
        kept = [p for _, p in backups.list_backups(folder)]
        assert kept == [made[3], made[2]]
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
        assert folder.stat().st_mode & 0o777 == 0o700
        ledger = backups.read_ledger(folder)
        assert ledger == backups.Watermark(0, None)
    finally:
        await stop_app(app)


def test_restore_reads_a_decrypted_backup_piped_in(
    backup_env: dict[str, str], tmp_path: Path, identity: x25519.Identity
) -> None:
    """`age -d -i key.txt FILE | petition-bot restore -`: the real command, nothing stored."""
    source = tmp_path / "made-elsewhere.sqlite3"
    conn = sqlite3.connect(source)
    conn.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INT);"
        "INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', 0);"
        "CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE counters (campaign TEXT PRIMARY KEY, signatures INT, withdrawals INT);"
        "CREATE TABLE signatures (number INTEGER PRIMARY KEY, campaign TEXT);"
        "CREATE TABLE activity (campaign TEXT, hour INT, signed INT, withdrawn INT);"
    )
    from bot.domain.signatures import key_fingerprint

    fingerprint = key_fingerprint(backup_env["SIGNER_KEY"].encode())
    conn.execute("INSERT INTO bot_state VALUES ('signer_key_fingerprint', ?)", (fingerprint,))
    conn.commit()
    conn.close()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "restore", "-"],
        input=source.read_bytes(),
        env={**backup_env, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert b"at an unknown time" in done.stderr  # not one of ours: the time is not known
    restored = Path(backup_env["DATABASE_PATH"])
    assert restored.read_bytes()[:16] == b"SQLite format 3\x00"
    assert not [p for p in restored.parent.iterdir() if p.name.startswith(".restore")]


def test_backups_never_leave_a_plaintext_copy_behind(tmp_path: Path) -> None:
    """A crash mid-backup leaves a partial plaintext copy; the next backup removes it."""
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / ".partial-petition-bot-20260101T000000Z.sqlite3").write_bytes(b"names")
    backups._remove_partials(folder)
    assert list(folder.iterdir()) == []
    assert backups.list_backups(folder) == []
