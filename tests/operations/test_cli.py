"""The `petition-bot` command: start-up failures are one clear line, and it waits for Telegram.

Organisers see these lines in a terminal or a service journal; none may carry the token or a
traceback, and a configuration problem exits 2 so that a service manager does not restart it.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot import cli
from bot.storage import sqlite as db_module
from bot.storage.sqlite import SqliteDatabase, migration_files
from tests.conftest import ROOT, TOKEN
from tests.support.faketg import FakeTelegram, FakeTelegramServer
from tests.support.harness import spawn_bot, stop_bot

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def in_folder(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The process environment of a bot started in an empty folder with these settings."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return env


def _wait(proc: subprocess.Popen[bytes], seconds: float = 30) -> int:
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def test_rejected_token_exits_2_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    fake = FakeTelegram()
    log_path = tmp_path / "bot.log"
    with FakeTelegramServer(fake, token="7000000:another-token-that-telegram-knows") as srv:
        proc = spawn_bot({**env, "LOG_LEVEL": "WARNING"}, srv.base_url, log_path)
        code = _wait(proc)
    output = log_path.read_text()
    assert code == 2, output
    assert output.strip().splitlines() == [
        "Telegram rejected BOT_TOKEN (401): check it with @BotFather"
    ]
    assert TOKEN.split(":")[1] not in output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_waits_for_telegram_at_start_then_serves(env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    log_path = tmp_path / "bot.log"
    proc = spawn_bot(env, f"http://127.0.0.1:{port}/bot", log_path)
    try:
        deadline = time.monotonic() + 20
        while log_path.read_text().count("Telegram cannot be reached") < 2:
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            await asyncio.sleep(0.1)
        fake = FakeTelegram()
        with FakeTelegramServer(fake, port=port):
            u = fake.remote_user(first_name="Olena", timeout=30)
            await u.start("medical-access")
            assert "Doctors and family visits" in u.last.text
            stop_bot(proc)
    finally:
        if proc.poll() is None:
            stop_bot(proc)
    log = log_path.read_text()
    assert proc.returncode == 0, log
    assert "Traceback" not in log
    tries = [line for line in log.splitlines() if "Telegram cannot be reached" in line]
    assert all(" WARNING " in line for line in tries)
    assert "trying again in 1 s" in tries[0] and "trying again in 2 s" in tries[1]
    assert f"petition-bot {_pyproject_version()} starting" in log  # before the first try


def _pyproject_version() -> str:
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


def test_version_is_pyprojects(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"petition-bot {_pyproject_version()}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--accept-older"],
        ["run", "--identity", "k"],
        ["--identity", "k"],
        ["check", "--accept-older"],
        ["migrate", "backup.sqlite3"],
        ["restore"],
        ["restore", "backup.sqlite3", "--accept"],  # no abbreviations
        ["--check", "migrate"],
        ["serve"],
    ],
)
def test_each_command_refuses_what_it_does_not_take(
    argv: list[str], in_folder: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage: petition-bot"), err
    assert err[-1].startswith("petition-bot") and "error:" in err[-1], err
    assert sorted(tmp_path.rglob("*")) == before  # refused before anything was written


def test_missing_migrations_folder_stops_with_one_line(
    in_folder: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(db_module, "MIGRATIONS_DIR", tmp_path / "not-installed")
    for argv in ([], ["migrate"], ["check"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "migrations folder" in err[0] and "missing" in err[0], err
    assert not (tmp_path / "data" / "bot.sqlite3").exists()


async def test_database_newer_than_the_code_is_refused(
    in_folder: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = SqliteDatabase(in_folder["DATABASE_PATH"])
    await db.open()
    await db.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'x.sql', 0)"
    )
    await db.close()
    assert await asyncio.to_thread(cli.main, ["migrate"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "schema version 99, newer than this bot knows" in line


def test_migrate_applies_and_exits(in_folder: dict[str, str], capsys: pytest.CaptureFixture[str]):
    newest = len(migration_files())
    assert cli.main(["migrate"]) == 0
    assert f"schema version {newest}" in capsys.readouterr().out
    with sqlite3.connect(in_folder["DATABASE_PATH"]) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, newest + 1))


def test_check_reports_each_bad_campaign_and_writes_nothing(
    in_folder: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    campaigns = Path(in_folder["CAMPAIGNS_DIR"])
    (campaigns / "medical-access" / "campaign.toml").write_text('slug = "BAD SLUG"\n')
    (campaigns / "open-doors-letter" / "en.md").write_text("no header\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert cli.main(["--check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err
    assert "medical-access" in err[0] and "slug" in err[0]
    assert "open-doors-letter" in err[1] and "header" in err[1]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def _clean_checkout(target: Path) -> Path:
    """What a clone holds, without the virtual environment or anything built."""
    target.mkdir()
    skip = shutil.ignore_patterns(".venv*", "__pycache__", "*.egg-info", "build", ".*cache*")
    for name in ("pyproject.toml", "README.md", "LICENSE", "bot", "locales", "migrations"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=skip)
        else:
            shutil.copy2(source, target / name)
    return target


# The wheel is built as `make wheel` builds it: in the build environment, whose setuptools is
# pinned; the environment the tests run in has none (tests/operations/test_install.py).
BUILD_PYTHON = ROOT / ".venv-build" / "bin" / "python"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a clean checkout, built in the build environment `make test` made."""
    if not BUILD_PYTHON.exists():
        pytest.fail(f"{BUILD_PYTHON} is missing: run the tests with `make test`")
    base = tmp_path_factory.mktemp("wheel")
    source = _clean_checkout(base / "src")
    subprocess.run(
        [
            *(BUILD_PYTHON, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--no-build-isolation", "--wheel-dir", str(base), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    shutil.rmtree(source)
    [built] = base.glob("petition_bot-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own, away from any checkout."""
    site = tmp_path_factory.mktemp("installed") / "site"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--no-index", "--target", str(site), str(wheel)),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return site


def test_the_wheel_carries_the_licence_texts(wheel: Path) -> None:
    """MIT and the font's licence ask that their notices travel with every copy."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [licences] = {n.rsplit("/licenses/", 1)[0] for n in names if "/licenses/" in n}
        mit = archive.read(f"{licences}/licenses/LICENSE").decode()
        font = archive.read(f"{licences}/licenses/bot/fonts/LICENSE-DejaVu.txt").decode()
        unicode = archive.read(f"{licences}/licenses/bot/unicode_data/LICENSE").decode()
        metadata = archive.read(f"{licences}/METADATA").decode()
    assert mit == (ROOT / "LICENSE").read_text() and "MIT License" in mit
    assert "Bitstream Vera" in font
    assert "bot/fonts/LICENSE-DejaVu.txt" in names  # beside the font it covers, too
    assert "UNICODE LICENSE V3" in unicode
    assert {"bot/unicode_data/confusables.txt", "bot/unicode_data/LICENSE"} <= set(names)
    assert "License-Expression: MIT AND Bitstream-Vera AND Unicode-3.0" in metadata


@pytest.fixture
def work_folder(tmp_path: Path) -> Path:
    """A folder that holds only a valid `.env` and the campaigns."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "campaigns", work / "campaigns")
    (work / ".env").write_text(f"BOT_TOKEN={TOKEN}\nSIGNER_KEY={'a' * 64}\n")
    return work


def test_installed_package_checks_without_writing(installed: Path, work_folder: Path) -> None:
    run_env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(installed)}
    where = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        env=run_env,
        cwd=work_folder,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed)), where.stdout
    before = sorted(work_folder.rglob("*"))
    checked = subprocess.run(
        [str(installed / "bin" / "petition-bot"), "--check"],
        env=run_env,
        cwd=work_folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "2 campaigns" in checked.stdout
    assert sorted(work_folder.rglob("*")) == before


async def test_installed_package_serves_in_polish_on_a_database_it_migrated(
    installed: Path, work_folder: Path, tmp_path: Path
) -> None:
    fake = FakeTelegram()
    log_path = tmp_path / "bot.log"
    with FakeTelegramServer(fake) as srv:
        proc = spawn_bot(
            {"ADMIN_IDS": ""},
            srv.base_url,
            log_path,
            command=[str(installed / "bin" / "petition-bot")],
            cwd=work_folder,
            pythonpath=installed,
        )
        try:
            u = fake.remote_user(first_name="Zofia", language_code="pl", timeout=30)
            await u.start("medical-access")
            assert "Podpisz" in str(u.last.buttons), u.last.text
        finally:
            stop_bot(proc)
    assert proc.returncode == 0, log_path.read_text()
    with sqlite3.connect(work_folder / "data" / "bot.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone() == (
            len(migration_files()),
        )


async def test_a_new_key_file_is_named_once_and_a_doubled_sigterm_stops_cleanly(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`make run` stopped by a SIGTERM to its process group: the bot gets the group's signal
    and the one make forwards. A new install's key file is named in the log, once."""
    key_file = tmp_path / "keys" / "signer.key"
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"} | {"SIGNER_KEY_FILE": str(key_file)}
    fake = FakeTelegram()
    with FakeTelegramServer(fake) as server:
        for start in range(2):
            log_path = tmp_path / f"bot{start}.log"
            proc = spawn_bot(env, server.base_url, log_path)
            try:
                deadline = time.monotonic() + 30
                while "ready with" not in log_path.read_text():
                    assert proc.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, log_path.read_text()
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # polling: the stop must end a getUpdates in flight
                proc.send_signal(signal.SIGTERM)  # the group's
                await asyncio.sleep(0.01)
                proc.send_signal(signal.SIGTERM)  # make's, as the shutdown begins
                assert _wait(proc, 20) == 0, log_path.read_text()
            finally:
                if proc.poll() is None:
                    stop_bot(proc)
            log = log_path.read_text()
            assert "never awaited" not in log and "Traceback" not in log
            assert log.rstrip().endswith("stopped")
            created = [line for line in log.splitlines() if "created the signer key" in line]
            if start == 0:
                [line] = created
                assert f"created the signer key {key_file}: keep a copy" in line
            else:
                assert not created  # the second start reads the same file
