"""SIGKILL mid-load, three times: every signature the bot thanked for is in the database.

The real `python -m bot` process polls the HTTP fake while ~20 people sign at once; it is
killed without warning while some are mid-flow, the database is read with sqlite3 once the
process is dead, and the bot restarts on the same file (Telegram then redelivers what the dead
process had not confirmed). Thanks must never run ahead of the commit, and the counter must
always equal COUNT(*).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import psycopg

from bot.config import load_settings
from bot.core.bases import Bases
from bot.domain.expiring import Memory
from bot.domain.signatures import Pseudonyms
from bot.storage.signatures import COUNTS
from tests.conftest import BOTH_BACKENDS
from tests.support.faketg import FakeTelegram, FakeTelegramServer, RemoteUser
from tests.support.harness import spawn_bot, stop_bot
from tests.support.steps import CAMPAIGN, sign

pytestmark = BOTH_BACKENDS

# Kills per run: one on PostgreSQL keeps the run short (the server, not the bot, keeps what
# a COMMIT made; SQLite's own recovery is what the three rounds exercise).
ROUNDS = {"sqlite": 3, "postgres": 1}
USERS_PER_ROUND = 20


def thanked(fake: FakeTelegram, u: RemoteUser) -> bool:
    with fake.lock:
        return any("Thank you" in str(m.get("text")) for m in u.chat.messages.values())


def read_db(env: dict[str, str]) -> tuple[set[str], int, int]:
    """Signers, rows and the counter, read straight from whichever engine the bot used."""
    conn: Any = (
        psycopg.connect(env["DATABASE_URL"])
        if "DATABASE_URL" in env
        else sqlite3.connect(env["DATABASE_PATH"])
    )
    try:
        signers = {r[0] for r in conn.execute("SELECT signer FROM signatures")}
        rows = conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
        counter = conn.execute(
            f"SELECT COALESCE(SUM(signatures), 0) FROM {COUNTS} AS counts"
        ).fetchone()[0]
    finally:
        conn.close()
    return signers, rows, int(counter)


async def test_sigkill_mid_load_loses_no_thanked_signature(
    env: dict[str, str], tmp_path: Path, backend: str
) -> None:
    fake = FakeTelegram()
    settings = load_settings(env, dotenv=False)
    bases, ids = (
        Bases(settings.signer_key, settings.pseudonym_cost, Memory(time.time, b"k")),
        Pseudonyms(settings.signer_key),
    )

    def signer(user_id: int, campaign: str) -> str:
        return ids.signer_of(bases.of(user_id), campaign)

    everyone: list[RemoteUser] = []
    kills_mid_flow = 0
    with FakeTelegramServer(fake) as srv:
        for round_no in range(ROUNDS[backend]):
            proc = spawn_bot(env, srv.base_url, tmp_path / f"bot{round_no}.log")
            users = [
                fake.remote_user(first_name=f"R{round_no}U{i}", timeout=15)
                for i in range(USERS_PER_ROUND)
            ]
            for u in users:
                u.quiet = 0.05
            everyone += users
            tasks = [
                asyncio.create_task(sign(u, f"Crash Tester{round_no * 100 + i}"))
                for i, u in enumerate(users)
            ]
            deadline = time.monotonic() + 45  # a loaded machine starts slowly
            while sum(thanked(fake, u) for u in users) < USERS_PER_ROUND // 3:
                assert time.monotonic() < deadline, "the bot made no progress"
                await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGKILL)  # no shutdown hooks, no flush, mid-flow
            proc.wait(timeout=10)
            kills_mid_flow += sum(not t.done() for t in tasks)
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(BaseException):
                    await t
            signers, rows, counter = read_db(env)
            for u in everyone:
                if thanked(fake, u):
                    assert signer(u.id, CAMPAIGN) in signers, f"round {round_no}: {u} lost"
            assert rows == counter == len(signers)
        # A final clean run: the bot comes back and serves after the last kill.
        proc = spawn_bot(env, srv.base_url, tmp_path / "final.log")
        try:
            last = fake.remote_user(first_name="After", timeout=20)
            last.quiet = 0.05
            await sign(last, "Crash Tester999")
            assert thanked(fake, last)
        finally:
            stop_bot(proc)
    assert kills_mid_flow > 0  # the kills really hit people mid-journey
    signers, rows, counter = read_db(env)
    assert rows == counter
    assert all(signer(u.id, CAMPAIGN) in signers for u in [*everyone, last] if thanked(fake, u))
