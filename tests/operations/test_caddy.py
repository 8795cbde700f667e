"""Debian's Caddy runs the shipped deploy/Caddyfile in front of the bot in webhook mode: updates
with the secret reach the bot, others do not, and the secret is in none of Caddy's logs.

The secret header is all that authenticates an update, so whoever reads it in a log can post
updates "from" an admin. The test runs the shipped file itself, changed by text substitution
only where a test must (site address, log file, upstream and admin ports), with the start
command the file recommends, so a header logged again, or `--environ` back, fails here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.operations.test_webhook import SECRET, free_port, start_update, wait_for
from tests.support.faketg import FakeTelegram, FakeTelegramServer
from tests.support.harness import spawn_bot, stop_bot
from tests.support.postgres import Server

CADDY = shutil.which("caddy")
pytestmark = pytest.mark.skipif(CADDY is None, reason="caddy is not installed")

SHIPPED = ROOT / "deploy" / "Caddyfile"
WEBHOOK_PATH = "/telegram/CHANGE-ME-long-random-path"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def swap(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old`: a shipped file that changed shape fails here."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def caddy_command(
    tmp_path: Path, site: int, bot: int, proxy: str | None = None
) -> tuple[list[str], Path]:
    """The start command the shipped file recommends, on a copy of it fit for this test;
    `proxy` replaces its `reverse_proxy` line."""
    shipped = SHIPPED.read_text()
    access_log = tmp_path / "access.log"
    text = swap(shipped, "\nbot.example.org {", f"\nhttp://127.0.0.1:{site} {{")
    text = swap(text, "output file /var/log/caddy/petition-bot.log", f"output file {access_log}")
    upstream = "\t\treverse_proxy 127.0.0.1:8443\n"
    text = swap(text, upstream, proxy or upstream.replace("8443", str(bot)))
    admin = f"\tadmin 127.0.0.1:{free_port()}\n"  # in the global options block, made if missing
    text = swap(text, "\n{\n", "\n{\n" + admin) if "\n{\n" in text else "{\n" + admin + "}\n" + text
    config = tmp_path / "Caddyfile"
    config.write_text(text)
    [command] = re.findall(r"^#\s+ExecStart=(/usr/bin/caddy run .+)$", shipped, re.M)
    argv = swap(command, "/etc/caddy/Caddyfile", str(config)).split()
    return [str(CADDY), *argv[1:], "--adapter", "caddyfile"], access_log


@contextmanager
def running_caddy(argv: list[str], tmp_path: Path, site: int) -> Iterator[tuple[Path, Path]]:
    """Caddy with the secret in its environment, as the shipped file says; yields the files
    holding its stdout and stderr (the journal under systemd)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "WEBHOOK_SECRET": SECRET,
    }
    out, err = tmp_path / "caddy.out", tmp_path / "caddy.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(argv, env=env, stdout=stdout, stderr=stderr)
    try:
        with httpx.Client(timeout=2) as client:
            for _ in range(200):
                assert proc.poll() is None, err.read_text()
                try:
                    client.get(f"http://127.0.0.1:{site}/")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
        yield out, err
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bot_texts(fake: FakeTelegram, user: dict[str, Any]) -> list[str]:
    """What the user sees from the bot in their chat."""
    with fake.lock:
        messages = list(fake.chats[user["id"]].messages.values())
    return [str(m.get("text", "")) for m in messages if m["from"]["id"] == fake.bot["id"]]


async def test_caddy_passes_updates_and_logs_no_webhook_secret(
    env: dict[str, str], tmp_path: Path
) -> None:
    fake = FakeTelegram()
    site, bot = free_port(), free_port()
    argv, access_log = caddy_command(tmp_path, site, bot)
    url = f"http://127.0.0.1:{site}"
    bot_log = tmp_path / "bot.log"
    with FakeTelegramServer(fake) as srv:
        extra = {
            "WEBHOOK_URL": "https://bot.example.org" + WEBHOOK_PATH,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(bot),
            "WEBHOOK_LISTEN": "127.0.0.1",
        }
        proc = spawn_bot({**env, **extra}, srv.base_url, bot_log)
        try:
            await wait_for(lambda: fake.webhook is not None)
            signer, intruder, late = (fake.new_user(n) for n in ("Signer", "Intruder", "Late"))
            with running_caddy(argv, tmp_path, site) as (out, err):
                async with httpx.AsyncClient(base_url=url, timeout=10) as client:

                    async def post(user: dict[str, Any], secret: str, **options: str) -> int:
                        header = options.get("header", HEADER)
                        r = await client.post(
                            options.get("path", WEBHOOK_PATH),
                            json=start_update(fake, user),
                            headers={header: secret},
                        )
                        return r.status_code

                    assert await post(signer, SECRET) == 200
                    await wait_for(lambda: bot_texts(fake, signer) != [])
                    assert await post(intruder, "wrong-secret-0123456789") == 404
                    assert await post(intruder, SECRET, path="/telegram/elsewhere") == 404
                    # A bot's own path under it (reserve bots) is passed to the bot: here,
                    # with one bot, the bot's own 404 (tornado's page; Caddy's is empty).
                    under = await client.post(
                        WEBHOOK_PATH + "/7000000001",
                        json=start_update(fake, intruder),
                        headers={HEADER: SECRET},
                    )
                    assert under.status_code == 404 and "404: Not Found" in under.text
                    stop_bot(proc)  # a request while the bot is down lands in the error log
                    assert await post(late, SECRET, header=HEADER.lower()) == 502
        finally:
            stop_bot(proc)
    assert proc.returncode == 0, bot_log.read_text()
    seen = "\n".join(bot_texts(fake, signer))  # the campaign card, as with polling
    assert "Doctors and family visits" in seen, seen
    assert bot_texts(fake, intruder) == [] and bot_texts(fake, late) == []
    fake.assert_no_violations()
    entries = [json.loads(line) for line in access_log.read_text().splitlines()]
    assert [e["status"] for e in entries] == [
        404,
        200,
        404,
        404,
        404,
        502,
    ]  # the readiness probe first
    errors = [line for line in err.read_text().splitlines() if '"http.log.error' in line]
    assert len(errors) == 1 and "connection refused" in errors[0]
    for log in (access_log, out, err, bot_log):
        assert SECRET not in log.read_text(), log.name
    for entry in entries:  # no header at all, and only the sender's /24
        assert "headers" not in entry["request"] and entry["request"]["remote_ip"] == "127.0.0.0"


def several_workers_block(bot: int, health: int) -> str:
    """The README's `reverse_proxy` block for several workers, the two workers' addresses
    made two loopback addresses of this machine, and checks made every second."""
    readme = (ROOT / "README.md").read_text()
    [block] = re.findall(r"^\t\treverse_proxy 10\.0\.0\.11:8443 .*?^\t\t\}\n", readme, re.M | re.S)
    block = swap(block, "10.0.0.11:8443 10.0.0.12:8443", f"127.0.0.1:{bot} 127.0.0.2:{bot}")
    block = swap(block, "health_port 9108", f"health_port {health}")
    return swap(block, "health_interval 10s", "health_interval 1s")


def updates_handled(worker: str, health: int) -> float:
    """What the worker's /metrics counts as updates handled."""
    text = httpx.get(f"http://{worker}:{health}/metrics", timeout=5).text
    found = re.findall(r"^petition_updates_total\{[^}]*\} (\S+)$", text, re.M)
    return sum(float(n) for n in found)


async def test_caddy_spreads_updates_over_two_workers_and_passes_them_on_when_one_stops(
    env: dict[str, str], tmp_path: Path, postgres_server: Server | None
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    fake = FakeTelegram()
    site, bot, health = free_port(), free_port(), free_port()
    argv, access_log = caddy_command(tmp_path, site, bot, several_workers_block(bot, health))
    shared = {
        "DATABASE_URL": postgres_server.new_database(),
        "WEBHOOK_URL": "https://bot.example.org" + WEBHOOK_PATH,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(bot),
    }
    workers = ("127.0.0.1", "127.0.0.2")
    with FakeTelegramServer(fake) as srv:
        procs = [
            spawn_bot(
                {
                    **env,
                    **shared,
                    "DATABASE_PATH": str(tmp_path / w / "bot.sqlite3"),  # its own local state
                    "WEBHOOK_LISTEN": w,
                    "METRICS_LISTEN": f"{w}:{health}",
                },
                srv.base_url,
                tmp_path / f"bot-{w}.log",
            )
            for w in workers
        ]
        try:

            def serving(worker: str) -> bool:
                try:
                    return httpx.get(f"http://{worker}:{health}/healthz").status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(lambda: all(serving(w) for w in workers), within=60)
            people = [fake.new_user(f"Person {i}") for i in range(10)]
            with running_caddy(argv, tmp_path, site):
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{site}") as client:

                    async def post(user: dict[str, Any]) -> int:
                        """As Telegram does: the same update again while the answer is 502."""
                        update = start_update(fake, user)
                        for _ in range(20):
                            r = await client.post(WEBHOOK_PATH, json=update, headers=headers)
                            if r.status_code != 502:
                                break
                            await asyncio.sleep(0.25)
                        return r.status_code

                    headers = {HEADER: SECRET}
                    for user in people[:6]:
                        assert await post(user) == 200
                    await wait_for(lambda: all(bot_texts(fake, u) for u in people[:6]))
                    assert all(updates_handled(w, health) >= 2 for w in workers)
                    stop_bot(procs[0])  # the first worker stops: the other takes the rest
                    for user in people[6:]:
                        assert await post(user) == 200
                    await wait_for(lambda: all(bot_texts(fake, u) for u in people))
                    await asyncio.sleep(1)  # time for an update handled twice to show
        finally:
            for proc in procs:
                stop_bot(proc)
    for proc, w in zip(procs, workers, strict=True):
        assert proc.returncode == 0, (tmp_path / f"bot-{w}.log").read_text()
    fake.assert_no_violations()
    for user in people:  # each person's /start answered once, whichever worker took it
        assert len(bot_texts(fake, user)) == len(bot_texts(fake, people[0])) > 0, user
    statuses = [json.loads(line)["status"] for line in access_log.read_text().splitlines()]
    assert statuses[0] == 404 and statuses[1:].count(200) == len(people)  # the probe first
    assert set(statuses[1:]) <= {200, 502}
