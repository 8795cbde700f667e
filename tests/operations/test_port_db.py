"""`petition-bot port-db`: a SQLite deployment with signatures, a draft and a broadcast half
sent moves to PostgreSQL, verified, and the moved bot carries on; a target that holds
anything is refused and left as it was."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import psycopg
import pytest

from bot import cli
from bot.config import load_settings
from tests.conftest import Clock, start_app, stop_app
from tests.support.admin import confirmed_broadcast, messages_with, stop_after
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.postgres import Server
from tests.support.steps import CAMPAIGN, sign

SENT = "the hearing is on Monday"


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


async def test_port_db_moves_signatures_drafts_and_a_broadcast_and_the_bot_carries_on(
    env: dict[str, str],
    tg: FakeTelegram,
    clock: Clock,
    postgres_server: Server | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings(env, dotenv=False)
    app = await start_app(settings, tg, clock)
    admin = tg.user(app, first_name="Ada")
    app.runtime.services.settings = replace(settings, admin_ids=frozenset({admin.id}))
    subscribers: list[FakeUser] = []
    for i in range(4):
        subscribers.append(tg.user(app, first_name=f"Sub{i}"))
        await sign(subscribers[-1], f"Subscriber Number{i}", notify=True)
    withdrawn = tg.user(app, first_name="Gone")
    await sign(withdrawn, "Gone Soon")
    await withdrawn.send("/withdraw")
    await withdrawn.press("Yes, withdraw")
    halfway = tg.user(app, first_name="Half")
    await halfway.start(CAMPAIGN)
    await halfway.press("Sign")
    await halfway.send("Half Way")  # a draft: the preview waits for the sign button
    runner = app.runtime.broadcaster
    stop_after(runner, 2)
    await confirmed_broadcast(admin)
    await runner.join()
    await stop_app(app)

    url = postgres_server.empty_database()
    for key, value in {**env, "DATABASE_URL": url, "ADMIN_IDS": str(admin.id)}.items():
        monkeypatch.setenv(key, value)
    assert await asyncio.to_thread(cli.main, ["port-db"]) == 0
    said = capsys.readouterr().out
    assert "every table was read back and matches" in said
    assert _rows(url, "SELECT name FROM signatures ORDER BY number") == [
        (f"Subscriber Number{i}",) for i in range(4)
    ]
    assert _rows(url, "SELECT name, step FROM drafts") == [("Half Way", "preview")]

    moved = await start_app(
        load_settings({**env, "DATABASE_URL": url, "ADMIN_IDS": str(admin.id)}), tg, clock
    )
    for person in (halfway, *subscribers):
        person.app = moved  # the same people, now served by the moved bot
    try:
        await moved.runtime.broadcaster.join()  # the broadcast resumes where it stopped
        assert [len(messages_with(tg, u.id, SENT)) for u in subscribers] == [1] * 4
        await halfway.press("Sign with my name")  # the draft carries on
        assert "Thank you" in halfway.last.text
        late = tg.user(moved, first_name="Late")
        await sign(late, "Late Comer")
        numbers = _rows(url, "SELECT number FROM signatures ORDER BY number")
        assert len(numbers) == 6 and numbers[-1][0] > 6  # the withdrawn number is not reused
        await subscribers[0].send("/withdraw")  # a pseudonym made on SQLite is found
        await subscribers[0].press("Yes, withdraw")
        assert "withdrawn" in subscribers[0].last.text
    finally:
        await stop_app(moved)

    for key, value in {**env, "DATABASE_URL": url}.items():  # once more: the target holds rows
        monkeypatch.setenv(key, value)
    assert await asyncio.to_thread(cli.main, ["port-db"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert len(_rows(url, "SELECT number FROM signatures")) == 5
