"""Unlock at start: the real process with a sealed signer key, against the HTTP fake Telegram.

Until `petition-bot unlock` gives the right passphrase over its socket the bot makes no Bot
API call, /healthz says "locked", and a wrong passphrase is refused and counted; afterwards
it serves. The passphrase and the key reach no file.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import cli
from bot.config import SettingsError, is_sealed, load_settings
from bot.domain.signatures import new_signer_key
from bot.ops.sealed import Sealed, seal, write_sealed
from bot.ops.unlock import UnlockError, UnlockServer, send_passphrase
from tests.conftest import ROOT, TOKEN
from tests.support.faketg import FakeTelegram, FakeTelegramServer, RemoteUser
from tests.support.harness import spawn_bot, stop_bot

PASSPHRASE = "plum orbit candle ferry"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(path: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Waits for the process to offer its socket (start-up readiness, not a timing claim)."""
    deadline = time.monotonic() + 30
    while not path.is_socket():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


@pytest.fixture
def server() -> Iterator[tuple[FakeTelegram, FakeTelegramServer]]:
    fake = FakeTelegram()
    with FakeTelegramServer(fake) as srv:
        yield fake, srv


async def test_a_sealed_key_keeps_the_bot_silent_until_unlocked_on_the_server(
    server: tuple[FakeTelegram, FakeTelegramServer], env: dict[str, str], tmp_path: Path
) -> None:
    fake, srv = server
    key = new_signer_key()
    key_file = tmp_path / "keys" / "signer.key.age"
    key_file.parent.mkdir(mode=0o700)
    write_sealed(key_file, seal(key.encode(), PASSPHRASE))
    assert is_sealed(key_file) and key.encode() not in key_file.read_bytes()
    runtime, port = tmp_path / "run", _free_port()
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    env |= {
        "SIGNER_KEY_FILE": str(key_file),
        "RUNTIME_DIRECTORY": str(runtime),
        "METRICS_LISTEN": f"127.0.0.1:{port}",
    }
    log_path = tmp_path / "bot.log"
    proc = spawn_bot(env, srv.base_url, log_path)
    sock = runtime / "unlock.sock"
    try:
        _wait_for(sock, proc, log_path)
        # Only the service's user can reach the socket: 0600 in a 0700 folder.
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
            assert health.status_code == 503
            assert health.json() == {
                "healthy": False,
                "checks": {"keys": "locked: waiting for petition-bot unlock on this server"},
            }
            answer = await asyncio.to_thread(send_passphrase, sock, "not the passphrase at all")
            assert answer == "refused: wrong passphrase"
            metrics = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            assert "petition_unlock_refusals_total 1.0" in metrics
        assert fake.calls == []  # not even getMe: the bot does not exist yet
        unlock = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "unlock", "--socket", str(sock)],
            input=PASSPHRASE + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert (unlock.returncode, unlock.stdout) == (0, "unlocked\n"), unlock.stderr
        u: RemoteUser = fake.remote_user(first_name="Zofia", timeout=30)
        await u.start("medical-access")
        assert "Doctors and family visits" in u.last.text
        assert not sock.exists()  # the socket closes once unlocked
    finally:
        stop_bot(proc)
    fake.assert_no_violations()
    assert proc.returncode == 0, log_path.read_text()
    log = log_path.read_text()
    assert "unlock refused: wrong passphrase (1 so far)" in log
    assert "not the passphrase" not in log
    # Neither the passphrase nor the key reached any file the bot wrote.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PASSPHRASE.encode() not in content, path
            assert key.encode() not in content, path


def test_the_passphrase_check_waits_after_a_refusal_and_wants_a_private_folder(
    tmp_path: Path,
) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)
    refused: list[int] = []

    async def offer(folder: Path) -> None:
        server: UnlockServer[str] = UnlockServer(
            folder / "unlock.sock", lambda p: "ok" if p == "right" else None, lambda: None
        )
        await server.start()
        try:
            answers = [
                await asyncio.to_thread(send_passphrase, server.path, word)
                for word in ("wrong", "right", "right")
            ]
            refused.append(server.refused)
            assert answers == ["refused: wrong passphrase", "unlocked", "already unlocked"]
            assert await server.unlocked() == "ok"
        finally:
            await server.close()

    with pytest.raises(UnlockError, match="mode 0700"):
        asyncio.run(offer(open_folder))
    asyncio.run(offer(tmp_path / "private"))
    assert refused == [1]
    with pytest.raises(UnlockError, match="no locked bot is waiting"):
        send_passphrase(tmp_path / "private" / "unlock.sock", "right")


def test_a_sealed_token_is_read_only_once_unlocked(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingsError, match="at least 12 characters"):
        seal(b"x", "too short")
    sealed_file = tmp_path / "bot-token"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{TOKEN}\n{PASSPHRASE}\n"))
    assert cli.main(["seal", str(sealed_file), "--from", "-"]) == 0
    assert is_sealed(sealed_file) and TOKEN.encode() not in sealed_file.read_bytes()
    assert stat.S_IMODE(sealed_file.stat().st_mode) == 0o600
    env = {k: v for k, v in env.items() if k != "BOT_TOKEN"}
    settings = load_settings({**env, "BOT_TOKEN_FILE": str(sealed_file)}, dotenv=False)
    assert (settings.bot_tokens, settings.sealed_token_file) == ((), sealed_file)
    sealed = Sealed.of(settings)
    assert sealed == Sealed(key_file=None, token_file=sealed_file)
    assert sealed.open(settings, "not the passphrase at all") is None
    opened = sealed.open(settings, PASSPHRASE)
    assert opened is not None and opened.bot_tokens == (TOKEN,)
