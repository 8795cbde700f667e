"""Logs never hold the token, nor a signer's name, Telegram id or username, even at DEBUG.

Signers may be at risk from the government they petition: a log file that leaks who signed
is as bad as a leaked database. Checked in-process (DEBUG, with Telegram failing now and then
so error paths log too) and in the real process.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings
from bot.ops.logs import configure_logging
from tests.conftest import TOKEN, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeTelegramServer, Faults
from tests.support.harness import spawn_bot, stop_bot
from tests.support.steps import sign

PEOPLE = [
    ("Zofia", "Quill", "zofia_q"),
    ("Ярослава", "Ковальчук", "yaroslava_k"),
    ("Aliaksandr", "Lukashevich", "sasha_l"),
]


def assert_clean(log: str, ids: list[int]) -> None:
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    for first, last, username in PEOPLE:
        for secret in (first, last, username, "Teacher of Physics", "Minsk Free School"):
            assert secret not in log, secret
    for uid in ids:
        assert str(uid) not in log, uid


async def test_debug_log_in_process_holds_no_personal_data(
    settings: Settings, tg: FakeTelegram, clock: Clock, restore_logging: None
) -> None:
    out = io.StringIO()
    configure_logging("DEBUG", list(settings.bot_tokens), stream=out)
    app = await start_app(settings, tg, clock)
    ids = []
    try:
        for i, (first, last, username) in enumerate(PEOPLE):
            u = tg.user(app, first_name=first, last_name=last, username=username)
            ids.append(u.id)
            await sign(
                u, name=f"{first} {last}", role="Teacher of Physics", org="Minsk Free School"
            )
            if i == 1:  # error paths log too
                tg.faults = Faults(
                    rate=0.5, kinds=("5xx", "timeout"), seed=3, methods=("sendMessage",)
                )
            await u.send("/mysignature")
            await u.send("/mydata")
            await u.send(f"{first} {last}")  # free text outside the flow
            await u.send("/withdraw")
            tg.faults = None
    finally:
        tg.faults = None
        await stop_app(app)
    log = out.getvalue()
    assert "ready with" in log and "Telegram call failed" in log  # the capture saw the bot
    assert_clean(log, ids)


async def test_real_process_debug_log_holds_no_personal_data(
    env: dict[str, str], tmp_path: Path
) -> None:
    fake = FakeTelegram()
    log_path = tmp_path / "bot.log"
    with FakeTelegramServer(fake) as srv:
        proc = spawn_bot({**env, "LOG_LEVEL": "DEBUG"}, srv.base_url, log_path)
        try:
            first, last, username = PEOPLE[0]
            u = fake.remote_user(first_name=first, last_name=last, username=username, timeout=20)
            u.quiet = 0.05
            await sign(u, f"{first} {last}", "Teacher of Physics", "Minsk Free School")
            assert "Thank you" in u.last.text
        finally:
            stop_bot(proc)
    log = log_path.read_text()
    assert "ready with" in log
    assert_clean(log, [u.id])


def test_secrets_read_from_files_are_redacted_too(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    """The token and the webhook secret from BOT_TOKEN_FILE and WEBHOOK_SECRET_FILE are
    scrubbed from log lines and from the last line, like those from the environment."""
    webhook_secret = "webhook-secret-from-a-file-42"
    (tmp_path / "token").write_text(TOKEN)
    (tmp_path / "webhook").write_text(webhook_secret)
    files = {"BOT_TOKEN_FILE": "token", "WEBHOOK_SECRET_FILE": "webhook"}
    for key, value in {**env, **files, "WEBHOOK_URL": "https://example.org/hook"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BOT_TOKEN")
    monkeypatch.chdir(tmp_path)
    tail = TOKEN.split(":")[1]  # not token-shaped on its own: only the secrets list catches it

    def leak(settings: Settings, metrics: object = None) -> int:
        logging.getLogger("bot").warning("leak %s %s", tail, settings.webhook_secret)
        raise RuntimeError(f"leak {tail} {settings.webhook_secret}")

    monkeypatch.setattr(cli, "run", leak)
    assert cli.main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("leak [redacted] [redacted]") == 2, err
    assert tail not in err and webhook_secret not in err
