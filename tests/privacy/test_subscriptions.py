"""Subscriptions unlinkable without the key: a subscriber's chat id is kept only sealed.

A seized database without the key holds no subscriber's Telegram id and no value that ties
two subscriptions (or deliveries) of one person together; the key opens each seal, because
the bot must write to its subscribers. The README's threat model names these tests.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import upgrade as upgrade_step
from bot.core.bases import Bases
from bot.core.services import Services
from bot.domain.expiring import Memory
from bot.domain.signatures import Pseudonyms, signer_id
from bot.storage import keys as key_store
from bot.storage.sqlite import SqliteDatabase
from bot.telegram.broadcast import Broadcaster
from bot.telegram.context import BotApp
from bot.telegram.views.common import View
from tests.conftest import ROOT, Clock, start_app, stop_app
from tests.support.admin import confirmed_broadcast, messages_with
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign

LETTER = "open-doors-letter"


def _file_bytes(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


async def test_a_database_without_the_key_holds_no_subscriber_id_and_links_no_two_subscriptions(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    """Two people subscribe, one of them to two campaigns, and a broadcast is left half-sent
    (so deliveries hold rows too). The file (journal included) holds neither Telegram id,
    and no value of one person's two subscriptions, or of a delivery, recurs in another row
    or in a signature: only the campaign, the language and the counts can be read."""
    both, other = make_user(first_name="Bea"), make_user(first_name="Oto")
    await sign(both, name="Bea Both", notify=True)
    await sign(both, name="Bea Both", campaign=LETTER, notify=True)
    await sign(other, name="Oto Other", notify=True)
    runner = app.runtime.broadcaster
    runner.request_stop()  # the broadcast stays queued: its deliveries are in the file
    await confirmed_broadcast(admin)
    path = Path(svc.settings.database_path)
    subscriptions = _rows(path, "SELECT campaign, signer, chat, chat_id FROM subscriptions")
    deliveries = _rows(path, "SELECT subscriber, chat, chat_id FROM deliveries")
    signatures = _rows(path, "SELECT signer, seal FROM signatures")
    assert len(subscriptions) == 3 and len(deliveries) == 2
    raw = _file_bytes(path)
    for user in (both, other):
        assert str(user.id).encode() not in raw  # anywhere in the file: no Telegram id
    assert {r[3] for r in subscriptions} | {r[2] for r in deliveries} == {None}
    # Nothing ties rows together: every pseudonym and seal differs from every other row's
    # (a delivery names its own subscription, of the broadcast's one campaign, and nothing
    # else), so Bea's two subscriptions look like two people's.
    values = [v for r in subscriptions for v in r[1:3]]
    assert len(set(values)) == len(values)
    theirs = {(r[1], r[2]) for r in subscriptions if r[0] == CAMPAIGN}
    assert {d[:2] for d in deliveries} == theirs
    names = {v for r in signatures for v in r}
    assert not names & {v for r in subscriptions for v in r[1:3]}
    assert not names & {v for d in deliveries for v in d[:2]}
    # Without the key a seal does not open; with it each does, to the person's chat id.
    outsider = Pseudonyms(b"0" * 64)
    assert all(outsider.unseal_chat(str(r[2])) is None for r in subscriptions)
    opened = sorted(svc.ids.unseal_chat(str(r[2])) or 0 for r in subscriptions)
    assert opened == sorted([both.id, both.id, other.id])


async def test_the_key_opens_each_subscriber_chat_id_to_write_to_them(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """What the key still reveals: each subscriber's chat id (the bot must message them), and
    from it the person's subscriptions, by testing their pseudonyms in every campaign."""
    u = make_user()
    await sign(u, name="Kai Key", notify=True)
    [(sealed,)] = await svc.db.fetchall("SELECT chat FROM subscriptions")
    assert svc.ids.unseal_chat(sealed) == u.id
    assert (CAMPAIGN, svc.subscriber(u.id, CAMPAIGN)) in await svc.subscriptions_of(u.id)
    assert svc.ids.seal_chat(u.id) != svc.ids.seal_chat(u.id)  # a fresh nonce each time


# -- the upgrade from clear chat ids -------------------------------------------------------


async def _database_with_clear_chat_ids(
    settings: Settings, tg: FakeTelegram, people: int, sent: int
) -> list[int]:
    """A database as the previous version (migrations 0001-0009) left it: subscribers with
    their chat id in clear, and a broadcast sending, `sent` of its deliveries done."""
    path = Path(settings.database_path)
    previous = path.parent / "previous-migrations"
    previous.mkdir(parents=True)
    for migration in sorted((ROOT / "migrations").glob("000[1-9]_*.sql")):
        (previous / migration.name).write_bytes(migration.read_bytes())
    db = SqliteDatabase(path)
    await db.open(previous)
    key, cost = settings.signer_key, settings.pseudonym_cost
    ids, bases = Pseudonyms(key), Bases(key, cost, Memory(time.time, b"k"))
    await check_key(db, settings)
    await db.execute(
        "INSERT INTO broadcasts (id, campaign, admin_id, html, status, kind, sent, created_at)"
        " VALUES (1, ?, 0, 'Old news', 'sending', 'message', ?, 1790000000)",
        (CAMPAIGN, sent),
    )
    users = []
    for n in range(people):
        user = tg.new_user(f"Sub{n}")
        tg.chats[user["id"]].started = True
        base = bases.slow(signer_id(key, user["id"]))
        await db.execute(
            "INSERT INTO subscriptions (campaign, signer, chat_id, language) VALUES (?, ?, ?, 'en')",
            (CAMPAIGN, ids.subscriber_of(base, CAMPAIGN), user["id"]),
        )
        await db.execute(
            "INSERT INTO deliveries (broadcast, chat_id, language, status) VALUES (1, ?, 'en', ?)",
            (user["id"], "sent" if n < sent else "pending"),
        )
        users.append(user["id"])
    await db.close()
    return users


async def check_key(db: SqliteDatabase, settings: Settings) -> None:
    """The fingerprint and the cost recorded, as the previous version did at its start."""
    await key_store.check_signer_key(db, settings.signer_key, settings.pseudonym_cost)


class Killed(Exception):
    """The data step's process stopped here."""


async def test_an_upgrade_seals_clear_chat_ids_and_a_sending_broadcast_reaches_each_person_once(
    settings: Settings, tg: FakeTelegram, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after its first batch, the data step resumes at the next start; the broadcast
    sends across both starts and the move, and each person gets the message once (the two
    already sent to before the upgrade, not again). No clear chat id remains in the file."""
    users = await _database_with_clear_chat_ids(settings, tg, people=7, sent=2)
    batches = 0
    real = key_store._seal_batch

    def dies_after_one_batch(*args: object, **kwargs: object) -> object:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise Killed
        return real(*args, **{**kwargs, "n": 2})  # type: ignore[arg-type]

    real_deliver = Broadcaster._deliver
    delivered = 0

    async def goes_down_after_two(
        self: Broadcaster, bot_app: BotApp, chat_id: int, message: View
    ) -> tuple[bool, bool]:
        nonlocal delivered
        delivered += 1
        if delivered == 2:
            self.request_stop()
        return await real_deliver(self, bot_app, chat_id, message)

    monkeypatch.setattr(key_store, "_seal_batch", dies_after_one_batch)
    monkeypatch.setattr(Broadcaster, "_deliver", goes_down_after_two)
    app = await start_app(settings, tg, clock)
    try:
        assert app.runtime.upgrade is not None
        with pytest.raises(Killed):
            await app.runtime.upgrade
        db = app.runtime.services.db
        clear = await db.scalar("SELECT COUNT(*) FROM subscriptions WHERE chat_id IS NOT NULL")
        assert 0 < clear < 7  # half-way
        await app.runtime.broadcaster.join()  # the runner sent to two, then went down
        assert sum(len(messages_with(tg, user, "Old news")) for user in users) == 2
    finally:
        await stop_app(app)
    monkeypatch.setattr(key_store, "_seal_batch", real)
    monkeypatch.setattr(Broadcaster, "_deliver", real_deliver)

    app = await start_app(settings, tg, clock)
    try:
        assert app.runtime.upgrade is not None
        assert await app.runtime.upgrade == 0  # nobody to move: only chat ids to seal
        assert not await upgrade_step.needed(app.runtime.services)
        await app.runtime.broadcaster.join()
        svc: Services = app.runtime.services
        received = [len(messages_with(tg, user, "Old news")) for user in users]
        assert received == [0, 0, 1, 1, 1, 1, 1]  # the first two had it before the upgrade
        assert await svc.db.fetchone("SELECT status, sent, failed FROM broadcasts") == (
            "done",
            7,
            0,
        )
        assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions WHERE chat IS NULL") == 0
    finally:
        await stop_app(app)
    raw = _file_bytes(Path(settings.database_path))
    assert not any(str(user).encode() in raw for user in users)
