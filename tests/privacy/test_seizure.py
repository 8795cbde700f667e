"""A seized database and key: what the old fast derivation finds, and the upgrade that moved
everyone away from it without losing anyone.

The README's threat model names these tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import PseudonymCost, Settings, load_settings
from bot.config.table import PSEUDONYM_MINIMUM
from bot.core import people
from bot.core import upgrade as upgrade_step
from bot.core.services import Services
from bot.domain.campaigns import CampaignSet
from bot.domain.signatures import Pseudonyms, signer_id
from bot.storage import keys as key_store
from bot.storage.keys import SignerKeyError, check_signer_key
from bot.storage.sqlite import SqliteDatabase
from tests.conftest import ROOT, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign

LETTER = "open-doors-letter"


def _old_forms(key: bytes, user_id: int) -> set[str]:
    """Everything the previous code stored for a person, as an attacker with the key computes
    it for one candidate id in a microsecond."""
    ids, base = Pseudonyms(key), signer_id(key, user_id)
    return {
        base,
        ids.person_of(base),
        ids.block_of(base),
        *(ids.signer_of(base, c) for c in (CAMPAIGN, LETTER)),
    }


def _everything_keyed(path: Path, ids: Pseudonyms) -> set[str]:
    """Every pseudonym in the file, and every base inside a seal (the key opens them)."""
    conn = sqlite3.connect(path)
    try:
        found: set[str] = set()
        for table, column in (
            ("signatures", "signer"),
            ("subscriptions", "signer"),
            ("preferences", "person"),
            ("drafts", "person"),
            ("trail", "person"),
            ("blocks", "block"),
        ):
            found |= {str(r[0]) for r in conn.execute(f"SELECT {column} FROM {table}")}
        seals = conn.execute("SELECT seal FROM signatures WHERE seal IS NOT NULL")
        found |= {base for (seal,) in seals if (base := ids.unseal(seal)) is not None}
        return found
    finally:
        conn.close()


async def test_the_old_fast_derivation_finds_no_one_in_a_seized_database_and_key(
    env: dict[str, str], tg: FakeTelegram, clock: Clock
) -> None:
    """Production cost (no PSEUDONYM_COST): public, hidden, withdrawn signers, one counted
    without a name, a visitor who chose a language, a subscriber. One HMAC per candidate id
    finds none of them; what
    stands between the attacker and each of them is one argon2id computation of at least
    OWASP's minimum, recorded in the database."""
    production = {k: v for k, v in env.items() if k != "PSEUDONYM_COST"}
    settings = load_settings(production, dotenv=False)
    assert settings.pseudonym_cost == PSEUDONYM_MINIMUM
    app = await start_app(settings, tg, clock)
    try:
        svc: Services = app.runtime.services
        public, hidden, withdrawn, counted, visitor, subscriber = (
            tg.user(app, first_name=n) for n in ("Pia", "Hal", "Wes", "Cal", "Vic", "Sub")
        )
        await sign(public, name="Pia Public")
        await sign(hidden, name="Hal Hidden", public=False)
        # A campaign that counts people without a name: its row is a pseudonym and a time.
        svc.campaigns = CampaignSet(
            replace(c, nameless=True) if c.slug == LETTER else c for c in svc.campaigns.all()
        )
        await counted.start(LETTER)
        await counted.press("Sign")
        await counted.press("Count me without a name")
        assert await svc.db.fetchone(
            "SELECT name, public FROM signatures WHERE campaign = ?", (LETTER,)
        ) == (None, 0)
        await sign(withdrawn, name="Wes Withdrawn", campaign=LETTER)
        await withdrawn.send("/withdraw")
        await withdrawn.press("Yes, withdraw")
        await visitor.send("/language")
        await visitor.press("Polski")
        await sign(subscriber, name="Sub Scriber", notify=True)
        # The visitor's choice waits on their draft row (searched below like every table).
        assert await svc.db.scalar("SELECT COUNT(*) FROM drafts WHERE language = 'pl'") == 1
        assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 1
        recorded = PseudonymCost.parse(
            str(await svc.db.scalar("SELECT value FROM bot_state WHERE key = ?", (key_store.COST,)))
        )
    finally:
        await stop_app(app)
    assert recorded is not None and not recorded.weaker_than(PSEUDONYM_MINIMUM)
    assert recorded.lanes == 1
    key = settings.signer_key
    stored = _everything_keyed(Path(settings.database_path), Pseudonyms(key))
    for user in (public, hidden, withdrawn, counted, visitor, subscriber):
        assert not (_old_forms(key, user.id) & stored), user
    # The slow derivation does find the signers still there: the key is what protects them.
    bases = svc.bases
    ids = Pseudonyms(key)
    assert ids.signer_of(bases.of(public.id), CAMPAIGN) in stored
    assert ids.signer_of(bases.of(counted.id), LETTER) in stored


async def test_a_recorded_cost_refuses_a_weaker_one(tmp_path: Path) -> None:
    """Production cannot be weakened by accident: the test value, or any cost below the one
    the database recorded, stops the start."""
    db = SqliteDatabase(tmp_path / "bot.sqlite3")
    await db.open()
    try:
        key = ("5e" * 32).encode()
        assert not await check_signer_key(db, key, PSEUDONYM_MINIMUM)
        with pytest.raises(SignerKeyError, match="weaker"):
            await check_signer_key(db, key, PseudonymCost(8, 1, 1))
        await check_signer_key(db, key, PSEUDONYM_MINIMUM)  # the same one starts
    finally:
        await db.close()


async def test_the_process_keeps_no_set_of_everyone_it_has_seen(
    make_user: Callable[..., FakeUser], app: object, svc: Services
) -> None:
    """python-telegram-bot's persistence bookkeeping would remember every user and chat id;
    our Application turns it off (this fails if an upgrade brings the sets back)."""
    for n in range(3):
        u = make_user(first_name=f"U{n}")
        await u.send("/start")
    assert getattr(app, "_user_ids_to_be_updated_in_persistence", set()) == set()
    assert getattr(app, "_chat_ids_to_be_updated_in_persistence", set()) == set()
    assert len(svc.bases) == 3  # the slow bases, kept minutes (bot/core/bases.py)


# -- the upgrade from the previous derivation ----------------------------------------------


async def _previous_database(path: Path, key: bytes, users: list[int]) -> None:
    """A database as the previous version left it: migrations 0001-0008, fast pseudonyms.

    Each user signed the campaign (the even ones also the letter, the first three
    subscribed); the first is blocked and chose Polish.
    """
    previous = path.parent / "previous-migrations"
    previous.mkdir(parents=True)
    for migration in sorted((ROOT / "migrations").glob("000[1-8]_*.sql")):
        (previous / migration.name).write_bytes(migration.read_bytes())
    db = SqliteDatabase(path)
    await db.open(previous)
    ids = Pseudonyms(key)
    for n, user in enumerate(users):
        base = signer_id(key, user)
        for campaign in (CAMPAIGN, LETTER) if n % 2 == 0 else (CAMPAIGN,):
            await db.execute(
                "INSERT INTO signatures (campaign, signer, seal, name, public, language,"
                " signed_at) VALUES (?, ?, ?, ?, 1, 'en', 1790000000)",
                (campaign, ids.signer_of(base, campaign), ids.seal_base(base), f"Old {n}"),
            )
        if n < 3:
            await db.execute(
                "INSERT INTO subscriptions (campaign, signer, chat_id, language)"
                " VALUES (?, ?, ?, 'en')",
                (CAMPAIGN, ids.signer_of(base, CAMPAIGN), user),
            )
    first = signer_id(key, users[0])
    await db.execute("INSERT INTO blocks (block, at) VALUES (?, 1)", (ids.block_of(first),))
    await db.execute(
        "INSERT INTO preferences (person, language, touched_at) VALUES (?, 'pl', ?)",
        (ids.person_of(first), 1790000000),
    )
    await db.execute("DROP TABLE signers")  # as the previous version's data step left it
    await db.close()


class Killed(Exception):
    """The upgrade's process stopped here."""


async def test_an_upgrade_killed_half_way_resumes_and_every_signer_is_recognised(
    settings: Settings, tg: FakeTelegram, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = settings.signer_key
    users = [tg.new_user(f"Old{n}") for n in range(12)]
    Path(settings.database_path).parent.mkdir(parents=True, exist_ok=True)
    await _previous_database(Path(settings.database_path), key, [u["id"] for u in users])

    moved_so_far = 0
    real = key_store.come_back

    async def dies_half_way(*args: object, **kwargs: object) -> int:
        nonlocal moved_so_far
        if moved_so_far == 6:
            raise Killed
        moved_so_far += 1
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upgrade_step.key_store, "come_back", dies_half_way)
    app = await start_app(settings, tg, clock)
    try:
        assert app.runtime.upgrade is not None
        with pytest.raises(Killed):
            await app.runtime.upgrade
        svc: Services = app.runtime.services
        left = await svc.db.scalar("SELECT COUNT(*) FROM signatures WHERE legacy = 1")
        assert 0 < left < 18  # half-way: some moved, some not
    finally:
        await stop_app(app)
    monkeypatch.setattr(upgrade_step.key_store, "come_back", real)

    app = await start_app(settings, tg, clock)
    try:
        assert app.runtime.upgrade is not None
        assert await app.runtime.upgrade == 6  # only those not moved before the kill
        svc = app.runtime.services
        for table in ("signatures", "subscriptions"):
            assert await svc.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE legacy = 1") == 0
        assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 18  # nobody lost
        for n, user in enumerate(users):
            u = FakeUser(tg, app, user)
            replies = await u.send("/mysignature")
            assert any(f"Old {n}" in r.text for r in replies), n
            assert await people.is_subscribed(svc, u.id, CAMPAIGN) == (n < 3)
            assert await people.is_blocked(svc, u.id) == (n == 0)
        assert await people.stored_language(svc, users[0]["id"]) == "pl"  # moved when she came back
        stored = _everything_keyed(Path(settings.database_path), Pseudonyms(key))
        assert not any(_old_forms(key, user["id"]) & stored for user in users)
    finally:
        await stop_app(app)
