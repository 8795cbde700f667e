"""Budgets that hold across workers on one PostgreSQL database: a group's commands (and an
organiser's actions) split between two workers draw on one budget, not on one per worker
(README "PostgreSQL", Several workers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.config import load_settings
from bot.telegram.context import BotApp
from bot.telegram.middleware import GROUP_BUDGET
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, QueuedUser
from tests.support.postgres import Server
from tests.support.steps import CAMPAIGN


def _posts(tg: FakeTelegram, chat_id: int) -> int:
    """The bot's messages in the chat."""
    messages = tg.chats[chat_id].messages.values()
    return sum(m.get("from", {}).get("id") == tg.bot["id"] for m in messages)


@asynccontextmanager
async def _workers(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, server: Server | None, **more: str
) -> AsyncIterator[list[BotApp]]:
    """Two workers over one new database on `server`, with the settings `more` changes."""
    if server is None:
        pytest.skip("no PostgreSQL server")
    settings = load_settings({**env, "DATABASE_URL": server.new_database(), **more})
    workers = [await start_app(settings, tg, clock) for _ in range(2)]
    for app in workers:
        await app.start()
    try:
        yield workers
    finally:
        for app in workers:
            await app.stop()
            await stop_app(app)


@pytest.fixture
async def two(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> AsyncIterator[list[BotApp]]:
    async with _workers(env, tg, clock, postgres_server) as workers:
        yield workers


async def test_a_groups_commands_split_across_two_workers_get_one_budget_of_posts(
    two: list[BotApp], tg: FakeTelegram, clock: Clock
) -> None:
    drivers = [Driver(app) for app in two]
    host_user = tg.new_user("Host")
    host = QueuedUser(tg, two[0], host_user, drivers[0])
    group = tg.group(title="Diaspora Warsaw")
    await host.add_bot_to(group)  # the bot's welcome: the first post of the minute
    assert _posts(tg, group.id) == 1
    asked = []
    for i in range(2 * GROUP_BUDGET):
        member = QueuedUser(tg, two[i % 2], tg.new_user(f"M{i}"), drivers[i % 2])
        asked.append(member)
        await member.command("petition", CAMPAIGN, chat=group)
    # Six posts into the group in the minute, whichever worker took each command.
    assert _posts(tg, group.id) == GROUP_BUDGET
    # The budget refills over the minute: a post every ten seconds, again on either worker.
    clock.advance(60 / GROUP_BUDGET)
    assert len(await asked[1].command("petition", CAMPAIGN, chat=group)) == 1
    assert await asked[0].command("petition", CAMPAIGN, chat=group) == []


async def test_an_organisers_previews_split_across_two_workers_draw_on_one_hourly_budget(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, postgres_server: Server | None
) -> None:
    ada, mo = tg.new_user("Ada"), tg.new_user("Mo")
    ids = {"ADMIN_IDS": str(ada["id"]), "MODERATOR_IDS": str(mo["id"])}
    async with _workers(env, tg, clock, postgres_server, PREVIEWS_PER_HOUR="3", **ids) as two:
        drivers = [Driver(app) for app in two]
        moderator = [QueuedUser(tg, app, mo, d) for app, d in zip(two, drivers, strict=True)]
        answers = []
        for i in range(5):
            [answer] = await moderator[i % 2].command("remove", "1")
            answers.append("hourly limit for previews of signatures (3 an hour)" in answer.text)
        # Three in the hour, whichever worker took each: the fourth is refused, and so is
        # the fifth, on the other worker, which does not tell the admins again.
        assert answers == [False, False, False, True, True]
        alerts = tg.calls_to("sendMessage", chat_id=ada["id"])
        assert [("hourly limit" in str(c.params["text"])) for c in alerts] == [True]
        # An hour after the first, one more fits, on either worker.
        clock.advance(3600)
        [answer] = await moderator[1].command("remove", "1")
        assert "hourly limit" not in answer.text
