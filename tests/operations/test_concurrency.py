"""A thousand people signing at once, with redeliveries and double taps: one signature each.

Updates take the production path (app.update_queue → PerUserProcessor), so people run
concurrently and each person's updates in order. A tenth of the double taps also bypass the
per-user ordering (straight into process_update, as two overlapping bot instances would), to
prove the database's conditional writes hold on their own.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.services import Services
from bot.storage import signatures as signature_store
from bot.telegram.context import BotApp
from tests.conftest import BOTH_BACKENDS
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.harness import Driver, QueuedUser, queued_user
from tests.support.steps import CAMPAIGN

pytestmark = BOTH_BACKENDS

# Every write waits for the one before it on both engines; PostgreSQL's take round trips to
# the server, so fewer people keep the run short there (bench/ measures the rates).
PEOPLE = {"sqlite": 1000, "postgres": 60}


async def _sign_roughly(u: QueuedUser, n: int, unordered: FakeUser | None) -> None:
    """The journey with the accidents real clients produce."""
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.redeliver()  # and a button press
    await u.send(f"Person Number{n}")
    await u.redeliver()  # Telegram resends the typed name
    if unordered is not None:
        await unordered.double_tap("Sign with my name")
    else:
        await u.double_tap("Sign with my name")
    await u.redeliver()


async def test_thousand_users_at_once_one_signature_each(
    running: tuple[BotApp, Driver],
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    USERS = PEOPLE[backend]
    app, driver = running
    svc: Services = app.runtime.services
    users = [queued_user(tg, driver, first_name=f"P{i}") for i in range(USERS)]
    bypass = {i: FakeUser(tg, app, users[i].user) for i in range(0, USERS, 10)}
    with caplog.at_level(logging.WARNING):
        await asyncio.gather(*(_sign_roughly(u, i, bypass.get(i)) for i, u in enumerate(users)))

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    rows = await svc.db.scalar("SELECT COUNT(*) FROM signatures WHERE campaign = ?", (CAMPAIGN,))
    counter = await signature_store.count(svc.db, CAMPAIGN)
    assert rows == counter == USERS
    doubles = await svc.db.fetchall(
        "SELECT signer FROM signatures GROUP BY campaign, signer HAVING COUNT(*) > 1"
    )
    assert doubles == []
    names = {r[0] for r in await svc.db.fetchall("SELECT name FROM signatures")}
    assert names == {f"Person Number{i}" for i in range(USERS)}
    for u in users:
        thanks = [m for m in u.messages if "Thank you" in m.text]
        assert len(thanks) == 1, u
    # The redelivered name never became the role.
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures WHERE role IS NOT NULL") == 0
    assert await svc.db.scalar("SELECT COUNT(*) FROM drafts") == 0
    tg.assert_no_violations()
