"""Counting under load on PostgreSQL (issue #30): signers of one campaign sign side by side, not
one after another behind a lock or one hot row, and the count moves with each signature; two
look-alike names signed at the same moment are still compared with each other.

Each test holds another signer's transaction open on a connection of its own, as a sign
button leaves it between its writes and its COMMIT, and drives a second signer through the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import psycopg
import pytest

from bot.core.services import Services
from bot.domain.lookalikes import public_skeleton
from bot.storage import signatures as signature_store
from bot.storage.funnel import DAY
from bot.storage.postgres import WRITE_LOCK
from bot.storage.shards import SHARDS, shard_of
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)
# A signature that waited for the other transaction would never end while it stays open.
NEVER = 60


@pytest.fixture
async def other(database_url: str, svc: Services) -> AsyncIterator[psycopg.AsyncConnection[object]]:
    """Another signer's transaction, the write lock taken shared as a sign button takes it
    (once the bot has started: its migrations take that lock alone)."""
    conn = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
    await conn.execute("BEGIN")
    await conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (WRITE_LOCK,))
    yield conn
    await conn.close()


async def test_a_signature_does_not_wait_for_another_signers_open_transaction(
    other: psycopg.AsyncConnection[object],
    make_user: Callable[..., FakeUser],
    svc: Services,
) -> None:
    signer = make_user(first_name="Bea")
    mine = {shard_of(svc.person(signer.id)), shard_of(svc.signer(signer.id, CAMPAIGN))}
    theirs = next(s for s in range(SHARDS) if s not in mine)
    now = int(svc.now())
    # What a signature adds, in the rows of its own shard: each held until that COMMIT.
    for sql, params in (
        (
            "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
            " VALUES (%s, 'another', 'Another Signer', 1, 'en', %s)",
            (CAMPAIGN, now),
        ),
        (
            "INSERT INTO counter_shards (campaign, shard, signatures) VALUES (%s, %s, 1)",
            (CAMPAIGN, theirs),
        ),
        (
            "INSERT INTO activity (campaign, hour, shard, signed) VALUES (%s, %s, %s, 1)",
            (CAMPAIGN, now // 3600, theirs),
        ),
        (
            "INSERT INTO funnel (campaign, source, day, shard, signed) VALUES (%s, '', %s, %s, 1)",
            (CAMPAIGN, now // DAY, theirs),
        ),
        (
            "INSERT INTO source_visits (campaign, source, shard, signed) VALUES (%s, '', %s, 1)",
            (CAMPAIGN, theirs),
        ),
    ):
        await other.execute(sql, params)
    await asyncio.wait_for(sign(signer, "Bea Signer"), NEVER)
    assert "Thank you" in signer.last.text
    assert await signature_store.count(svc.db, CAMPAIGN) == 1
    await other.execute("COMMIT")
    assert await signature_store.count(svc.db, CAMPAIGN) == 2


async def test_two_look_alike_names_signed_at_once_are_compared(
    other: psycopg.AsyncConnection[object],
    make_user: Callable[..., FakeUser],
    svc: Services,
) -> None:
    first, second = "Olga Sokolova", "0LGA SOKOLOVA"
    skeleton = public_skeleton(first, True)
    assert skeleton is not None and skeleton == public_skeleton(second, True)
    # The other signer has inserted the first name and holds its skeleton's lock.
    await other.execute(
        "SELECT pg_advisory_xact_lock(%s)", (signature_store._lock_key(CAMPAIGN, skeleton),)
    )
    await other.execute(
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at, skeleton)"
        " VALUES (%s, 'another', %s, 1, 'en', %s, %s)",
        (CAMPAIGN, first, int(svc.now()), skeleton),
    )
    signer = make_user(first_name="F")
    signing = asyncio.create_task(sign(signer, second))
    waiting = False
    while not (waiting or signing.done()):  # until the sign button waits for that lock
        await asyncio.sleep(0.01)
        waiting = bool(
            await svc.db.scalar(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
        )
    assert waiting, "the second name was compared before the first one's COMMIT"
    await other.execute("COMMIT")
    await asyncio.wait_for(signing, NEVER)
    assert "looks like one already on the list" in signer.last.text
    lookalike = await svc.db.scalar(
        "SELECT lookalike FROM signatures WHERE campaign = ? AND name = ?", (CAMPAIGN, second)
    )
    assert lookalike == 1
