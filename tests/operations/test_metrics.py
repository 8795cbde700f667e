"""/metrics and /healthz (METRICS_LISTEN): scraped over HTTP, parsed with prometheus-client.

No label may carry a user id, a name or a chat id: the scrape below follows signers with
distinctive names and checks every label of every sample against them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings, load_settings
from bot.telegram import health
from bot.telegram.context import BotApp, BotContext
from bot.telegram.metrics import Metrics, method_label
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.steps import CAMPAIGN, sign

# "bot": a configured bot's public Telegram id (reserve bots), never a person's.
LABELS = {"type", "method", "code", "reason", "campaign", "state", "result", "le", "bot"}
# The standard collectors' labels: the interpreter's version, the garbage collector's generation.
STANDARD_LABELS = {"implementation", "major", "minor", "patchlevel", "version", "generation"}


@pytest.fixture
async def served(
    settings: Settings, tg: FakeTelegram, clock: Clock
) -> AsyncIterator[tuple[BotApp, str]]:
    app = await start_app(replace(settings, metrics_listen=("127.0.0.1", 0)), tg, clock)
    server = app.runtime.ops_server
    yield app, f"http://127.0.0.1:{server.port}"
    await stop_app(app)


async def _get(url: str, method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.request(method, url)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_are_parsed_and_no_label_carries_personal_data(
    served: tuple[BotApp, str], tg: FakeTelegram
) -> None:
    app, base = served
    people = [("Zofia", "Zofia Quillmetric"), ("Олена", "Олена Метрична"), ("Ali", "Ali Labelson")]
    users = []
    for first, full in people:
        user = tg.user(app, first_name=first, username=f"{first.lower()}_handle")
        await sign(user, full, "Secret Role", "Secret Org", notify=True)
        users.append(user)
    await users[2].send("/withdraw")
    await users[2].press("Yes, withdraw")

    response = await _get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    samples = _samples(text)

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("petition_signatures", campaign=CAMPAIGN) == 2
    assert value("petition_withdrawals", campaign=CAMPAIGN) == 1
    # Counted as they happened: every update the users sent, every call the fake answered.
    presses = len(tg.callback_queries)
    updates = tg.next_update_id() - 1  # update ids count up from 1, one per update sent
    assert value("petition_updates_total", type="callback_query") == presses > 0
    assert value("petition_updates_total", type="message") == updates - presses > 0
    handled = sum(v for (n, _), v in samples.items() if n == "petition_updates_total")
    assert handled == updates
    timed = sum(v for (n, _), v in samples.items() if n == "petition_update_seconds_count")
    assert handled == timed
    for method in ("sendMessage", "answerCallbackQuery", "editMessageText"):
        assert value("petition_telegram_calls_total", method=method) == len(tg.calls_to(method))
    assert value("petition_database_bytes") > 0
    assert value("petition_broadcasts_sending") == 0
    assert value("petition_backup_age_seconds") == -1  # scheduled backups are off
    assert value("petition_telegram_last_success_timestamp_seconds") > time.time() - 60

    secrets = [str(u.id) for u in users] + [p for _, full in people for p in full.split()]
    secrets += ["Secret", "_handle", "Zofia", "Ali"]
    for name, labels in samples:
        assert {key for key, _ in labels} <= LABELS | STANDARD_LABELS, (name, labels)
        for _, label in labels:
            for secret in secrets:
                assert secret not in label, (name, labels)
    for secret in secrets:
        if secret.isdigit():  # a Telegram id, as a whole number: not digits inside a timestamp
            assert not re.search(rf"(?<![\d.]){secret}(?![\d.])", text), secret
        else:
            assert secret not in text
    tg.assert_no_violations()


async def test_metrics_carry_the_standard_process_metrics(served: tuple[BotApp, str]) -> None:
    """What every Prometheus operator expects beside the bot's own, from its own registry."""
    _, base = served
    samples = _samples((await _get(f"{base}/metrics")).text)
    names = {name for name, _ in samples}
    assert samples[("process_resident_memory_bytes", ())] > 10_000_000  # a Python bot: > 10 MB
    assert samples[("process_cpu_seconds_total", ())] > 0
    assert samples[("process_open_fds", ())] >= 3  # at least stdin, stdout and stderr
    assert {"process_max_fds", "process_start_time_seconds", "python_info"} <= names
    assert any(name.startswith("python_gc_") for name in names)


async def test_healthz_says_what_is_wrong(served: tuple[BotApp, str]) -> None:
    app, base = served
    response = await _get(f"{base}/healthz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "healthy": True,
        "checks": {
            "database": "ok",
            "telegram": "ok",
            "broadcasts": "ok",
            "backups": "off",
            "publishing": "off",
        },
    }

    # A broadcast that records no delivery for ten minutes is stuck.
    svc = app.runtime.services
    await svc.db.execute(
        "INSERT INTO broadcasts (campaign, admin_id, html, status, created_at)"
        " VALUES (?, 0, 'x', 'sending', 0)",
        (CAMPAIGN,),
    )
    checker: health.Health = app.runtime.ops_server.health
    offset = 0.0
    checker.clock = lambda: time.monotonic() + offset
    assert (await _get(f"{base}/healthz")).status_code == 200  # progress seen now
    offset = health.BROADCAST_STUCK_AFTER + 1
    response = await _get(f"{base}/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broadcasts"].startswith("failing: broadcast 1 made no progress")
    assert checks["telegram"].startswith("failing: no Bot API call succeeded for")
    assert checks["database"] == "ok"

    assert (await _get(f"{base}/healthz", "POST")).status_code == 405
    assert (await _get(f"{base}/private")).status_code == 404


async def test_an_idle_bot_calls_getme_so_health_stays_meaningful(
    app: BotApp, tg: FakeTelegram
) -> None:
    link = app.runtime.link
    context = BotContext(app)
    before = len(tg.calls_to("getMe"))
    await health.keep_alive(context)
    assert len(tg.calls_to("getMe")) == before  # a call just succeeded: nothing to do
    assert link.last_success is not None
    link.last_success -= health.KEEPALIVE_AFTER + 1
    stale = link.last_success
    await health.keep_alive(context)
    assert len(tg.calls_to("getMe")) == before + 1
    assert link.last_success > stale


async def test_the_endpoint_is_off_unless_asked_and_binds_loopback(
    app: BotApp, env: dict[str, str]
) -> None:
    assert app.runtime.ops_server is None
    assert load_settings({**env, "METRICS_LISTEN": "9108"}).metrics_listen == ("127.0.0.1", 9108)
    wide = load_settings({**env, "METRICS_LISTEN": "0.0.0.0:9108"})
    assert wide.metrics_listen == ("0.0.0.0", 9108)
    assert any("reachable from other machines" in w for w in wide.warnings)


def test_method_labels_come_from_a_closed_set() -> None:
    assert method_label("https://api.telegram.org/bot123:abc/sendMessage") == "sendMessage"
    assert method_label("https://api.telegram.org/file/bot123:abc/documents/x.csv") == "file"
    assert method_label("https://api.telegram.org/bot123:abc/send Message 42") == "other"
    assert method_label("https://api.telegram.org/bot123:abc/100042") == "other"
    metrics = Metrics()
    body = json.dumps({"ok": False, "parameters": {"retry_after": 3}}).encode()
    from bot.telegram.client import _retry_after

    metrics.api_answered("sendMessage", 429, _retry_after(body))
    text = metrics.exposition().decode()
    samples = _samples(text)
    assert samples[("petition_telegram_flood_waits_total", ())] == 1
    assert samples[("petition_telegram_flood_wait_seconds_total", ())] == 3
    assert samples[("petition_telegram_errors_total", (("code", "429"), ("method", "sendMessage")))]
