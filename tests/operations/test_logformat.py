"""LOG_FORMAT=json: one JSON object per line, with the same redaction as the text format."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.ops.logs import configure_logging
from tests.conftest import TOKEN
from tests.support.faketg import FakeTelegram, FakeTelegramServer
from tests.support.harness import spawn_bot, stop_bot


def test_each_line_is_json_and_the_token_is_redacted(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("INFO", [TOKEN], stream=out, fmt="json")
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage\nsecond line")
    except RuntimeError:
        log.exception("a call failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # the traceback stays inside its line
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO" and first["logger"] == "bot.test"
    assert first["message"] == "calling https://api.telegram.org/bot[redacted]/getMe"
    assert second["level"] == "ERROR" and "Traceback" in second["message"]
    assert "second line" in second["message"]
    for line in lines:
        assert TOKEN not in line and TOKEN.split(":")[1] not in line


def test_log_format_is_validated(env: dict[str, str]) -> None:
    assert load_settings(env).log_format == "text"
    assert load_settings({**env, "LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings({**env, "LOG_FORMAT": "xml"})


async def test_the_real_process_logs_json_lines(env: dict[str, str], tmp_path: Path) -> None:
    fake = FakeTelegram()
    log_path = tmp_path / "bot.log"
    with FakeTelegramServer(fake) as srv:
        proc = spawn_bot({**env, "LOG_FORMAT": "json"}, srv.base_url, log_path)
        try:
            user = fake.remote_user(first_name="Jsonina", timeout=30)
            await user.start("medical-access")
            assert "Doctors and family visits" in user.last.text
        finally:
            stop_bot(proc)
    assert proc.returncode == 0, log_path.read_text()
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert any("ready with 2 campaigns" in r["message"] for r in records)
    text = log_path.read_text()
    assert TOKEN.split(":")[1] not in text and "Jsonina" not in text and str(user.id) not in text
