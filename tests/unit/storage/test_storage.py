"""Migrations, pragmas and the counter moving with the row."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain.bots import Role
from bot.domain.signatures import ConfirmResult, Draft, Step
from bot.storage import bots as bot_store
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage.sqlite import MIGRATIONS_DIR, SqliteDatabase, apply_migrations, migration_files


def test_migrations_are_numbered_without_gaps() -> None:
    files = migration_files()
    assert [v for v, _ in files] == list(range(1, len(files) + 1))
    assert len(files) >= 2


async def test_fresh_database_pragmas_and_versions(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "x.sqlite3")
    await db.open()
    try:
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await db.scalar("PRAGMA secure_delete") == 1
        assert await db.scalar("PRAGMA busy_timeout") == 5000
        versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")]
        assert versions == [v for v, _ in migration_files()]
        assert await apply_migrations(db) == []  # idempotent on restart
    finally:
        await db.close()


@pytest.mark.parametrize("applied", range(1, len(migration_files())))
async def test_upgrade_from_every_earlier_version(tmp_path: Path, applied: int) -> None:
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    for version, path in migration_files():
        if version <= applied:
            shutil.copy(path, old_dir / path.name)
    path = tmp_path / "up.sqlite3"
    db = SqliteDatabase(path)
    await db.open(old_dir)
    await db.execute(
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
        " VALUES ('c', 's', 'Kept Name', 1, 'en', 1)"
    )
    await db.close()
    db = SqliteDatabase(path)
    await db.open(MIGRATIONS_DIR)
    try:
        versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")]
        assert versions == [v for v, _ in migration_files()]
        assert await db.scalar("SELECT name FROM signatures") == "Kept Name"
    finally:
        await db.close()


async def test_failed_migration_rolls_back_whole(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(migration_files()[0][1], bad)
    (bad / "0002_broken.sql").write_text("CREATE TABLE ok_table (x);\nCREATE TABLE (;\n")
    db = SqliteDatabase(tmp_path / "b.sqlite3")
    with pytest.raises(sqlite3.OperationalError):
        await db.open(bad)
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "ok_table" not in tables
    assert await db.scalar("SELECT MAX(version) FROM schema_migrations") == 1
    await db.close()


async def test_uniqueness_is_enforced_by_the_database(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "u.sqlite3")
    await db.open()
    try:
        sql = (
            "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
            " VALUES ('c', 'same', 'A', 1, 'en', 1)"
        )
        await db.execute(sql)
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(sql)
    finally:
        await db.close()


def _ids(signer: str) -> dict[str, str]:
    return {"signer": signer, "seal": "00" * 48, "block": f"block-{signer}", "language": "en"}


async def _confirm(db: SqliteDatabase, draft: Draft, now: int) -> ConfirmResult:
    """A sign button's write, in a transaction of its own."""
    ids = _ids(draft.person)
    return await db.atomic(lambda conn: signature_store.record(conn, draft, **ids, now=now))


async def test_counter_moves_with_the_row_and_erase_is_real(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = SqliteDatabase(path)
    await db.open()
    try:
        draft = Draft("signer1", "c", Step.PREVIEW, name="Secret Name Zq", public=True)
        await draft_store.replace_if(db, None, draft)
        result = await _confirm(db, draft, 100)
        assert (result.outcome, result.count) == ("signed", 1)
        again = await _confirm(db, draft, 101)
        assert again.outcome == "no_draft" and again.count == 1
        assert await signature_store.erase(db, "c", "signer1", "sub1", now=200)
        assert await signature_store.count(db, "c") == 0
        assert not await signature_store.erase(db, "c", "signer1", "sub1", now=201)
        await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close()
    assert b"Secret Name Zq" not in path.read_bytes()  # secure_delete: gone, not just unlinked


async def test_recount_fixes_drift(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "r.sqlite3")
    await db.open()
    try:
        draft = Draft("s", "c", Step.PREVIEW, name="N N", public=True)
        await draft_store.replace_if(db, None, draft)
        await _confirm(db, draft, 1)
        await db.execute("UPDATE counter_shards SET signatures = 7")
        assert await signature_store.recount(db) == [("c", 7, 1)]
        assert await signature_store.count(db, "c") == 1
        assert await signature_store.recount(db) == []
    finally:
        await db.close()


async def test_rows_from_before_reserve_bots_are_adopted_by_the_primary(tmp_path: Path) -> None:
    """Migration 0023 marks what one chat held as bot 0; the first start gives it to the
    primary, whose id SQL could not know, and a conversation's trail keeps its place."""
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    for version, path in migration_files():
        if version <= 22:
            shutil.copy(path, old_dir / path.name)
    path = tmp_path / "up.sqlite3"
    db = SqliteDatabase(path)
    await db.open(old_dir)
    await db.execute("INSERT INTO trail (person, first_message, last_at) VALUES ('p', 40, 1)")
    await db.execute(
        "INSERT INTO subscriptions (campaign, signer, chat, language) VALUES ('c', 's', 'x', 'en')"
    )
    await db.execute(
        "INSERT INTO drafts (person, campaign, step, message_id, updated_at)"
        " VALUES ('p', 'c', 'name', 41, 1)"
    )
    await db.close()
    db = SqliteDatabase(path)
    await db.open(MIGRATIONS_DIR)
    try:
        await bot_store.seen(db, 7001, "FirstBot", Role.PRIMARY, 5)
        await bot_store.seen(db, 7002, "ReserveBot", Role.ACTIVE, 5)
        assert await bot_store.adopt(db, 7001) == 3
        assert await db.fetchall("SELECT person, bot, first_message FROM trail") == [
            ("p", 7001, 40)
        ]
        assert await db.scalar("SELECT bot FROM subscriptions") == 7001
        draft = await draft_store.get(db, "p", 2, 100)
        assert draft is not None and (draft.bot, draft.message_id) == (7001, 41)
        assert await bot_store.adopt(db, 7002) == 0  # once: nothing else is bot 0
        assert await bot_store.set_role(db, 7002, Role.PRIMARY)
        roles = {b.id: b.role for b in await bot_store.known(db)}
        assert roles == {7001: Role.ACTIVE, 7002: Role.PRIMARY}
    finally:
        await db.close()


async def test_single_statements_waiting_together_share_a_transaction_and_fail_alone(
    tmp_path: Path,
) -> None:
    """write_row's statements that wait for the write lock together go in one transaction,
    each in a savepoint: one that fails raises for its caller alone and undoes nothing else."""
    db = SqliteDatabase(tmp_path / "rows.sqlite3")
    await db.open()
    begun: list[str] = []
    try:
        await db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
        raw = db.conn._conn
        await db.conn._execute(raw.set_trace_callback, begun.append)  # type: ignore[no-untyped-call]
        begun.clear()
        insert = "INSERT INTO t (k, v) VALUES (?, ?) RETURNING k"
        results = await asyncio.gather(
            db.write_row(insert, (1, 10)),
            db.write_row(insert, (2, None)),  # NOT NULL: fails
            db.write_row(insert, (3, 30)),
            return_exceptions=True,
        )
        await db.conn._execute(raw.set_trace_callback, None)  # type: ignore[no-untyped-call]
        assert results[0] == (1,) and results[2] == (3,)
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert await db.fetchall("SELECT k, v FROM t ORDER BY k") == [(1, 10), (3, 30)]
        assert sum(s.startswith("BEGIN IMMEDIATE") for s in begun) == 1
        assert await db.write_row(insert, (4, 40)) == (4,)  # alone, it still runs at once
    finally:
        await db.close()


async def test_atomic_writes_waiting_together_share_a_commit_and_each_fails_alone(
    tmp_path: Path,
) -> None:
    """Writes that wait for the writer together go in one transaction and one hop: each
    caller gets its own result; one whose work raises after writing has its writes undone
    and gets its exception, the others' stay; a caller cancelled before its batch began
    writes nothing."""
    db = SqliteDatabase(tmp_path / "atomic.sqlite3")
    await db.open()
    begun: list[str] = []

    class Refused(Exception):
        pass

    def insert(k: int, fail: bool = False) -> Callable[[sqlite3.Connection], int]:
        def work(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO t (k) VALUES (?)", (k,))
            conn.execute("INSERT INTO t (k) VALUES (?)", (k + 100,))
            if fail:
                raise Refused
            return k * 10

        return work

    try:
        await db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        raw = db.conn._conn
        await db.conn._execute(raw.set_trace_callback, begun.append)  # type: ignore[no-untyped-call]
        begun.clear()
        async with db._write_lock:  # the writer is busy: the writes below wait together
            first = asyncio.ensure_future(db.atomic(insert(1)))
            failing = asyncio.ensure_future(db.atomic(insert(2, fail=True)))
            cancelled = asyncio.ensure_future(db.atomic(insert(3)))
            last = asyncio.ensure_future(db.write_row("INSERT INTO t (k) VALUES (4) RETURNING k"))
            await asyncio.sleep(0)
            cancelled.cancel()
        assert await first == 10 and await last == (4,)
        with pytest.raises(Refused):
            await failing
        assert cancelled.cancelled()
        await db.conn._execute(raw.set_trace_callback, None)  # type: ignore[no-untyped-call]
        assert await db.fetchall("SELECT k FROM t ORDER BY k") == [(1,), (4,), (101,)]
        assert sum(s.startswith("BEGIN IMMEDIATE") for s in begun) == 1
        with pytest.raises(Refused):  # alone, a failing write still fails and leaves nothing
            await db.atomic(insert(5, fail=True))
        assert await db.scalar("SELECT COUNT(*) FROM t WHERE k IN (5, 105)") == 0
    finally:
        await db.close()
