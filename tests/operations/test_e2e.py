"""End to end: the real `python -m bot` process against the fake Telegram served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TOKEN
from tests.support.faketg import FakeTelegram, FakeTelegramServer, RemoteUser
from tests.support.harness import spawn_bot, stop_bot


@pytest.fixture
def server() -> Iterator[tuple[FakeTelegram, FakeTelegramServer]]:
    fake = FakeTelegram()
    with FakeTelegramServer(fake) as srv:
        yield fake, srv


async def test_start_sign_confirm_progress_withdraw(
    server: tuple[FakeTelegram, FakeTelegramServer], env: dict[str, str], tmp_path: Path
) -> None:
    fake, srv = server
    log_path = tmp_path / "bot.log"
    proc = spawn_bot(env, srv.base_url, log_path)
    try:
        u: RemoteUser = fake.remote_user(first_name="Zofia", last_name="Quill", timeout=20)
        await u.start("medical-access")
        assert "Doctors and family visits" in u.last.text
        await u.press("Sign")
        await u.press("Use “Zofia Quill”")
        assert "Name: \u2068Zofia Quill\u2069" in u.last.text
        await u.press("Sign with my name")
        assert "Thank you! Your signature is recorded." in u.last.text
        await u.send("/progress")
        assert "1 signature · next goal 500" in u.last.text
        await u.send("/withdraw")
        await u.press("Yes, withdraw")
        assert "withdrawn and erased" in u.last.text
        assert "0 signatures" in u.last.text
    finally:
        stop_bot(proc)
    fake.assert_no_violations()
    assert proc.returncode == 0, log_path.read_text()
    log = log_path.read_text()
    assert "ready with 2 campaigns" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Zofia" not in log and "Quill" not in log and str(u.id) not in log
