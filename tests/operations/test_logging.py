"""Logs never hold the token, nor a signer's name, Telegram id or username, even at DEBUG.

Signers may be at risk from the government they petition: a log file that leaks who signed
is as bad as a leaked database. Checked in-process (DEBUG, with Telegram failing now and then
so error paths log too) and in the real process.
"""

from __future__ import annotations

import io
from pathlib import Path

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
    configure_logging("DEBUG", [settings.bot_token], stream=out)
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
