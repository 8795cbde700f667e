"""Organisers' Telegram ids: a keyed hash in the audit log, and gone from a broadcast once it
ends (it is needed only to edit the progress message while sending)."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.core.services import Services
from bot.storage import admin as admin_store
from bot.storage.sqlite import MIGRATIONS_DIR, SqliteDatabase, migration_files
from bot.telegram.context import BotApp
from tests.support.admin import broadcast_reply, confirmed_broadcast, write_news
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

KEY = b"5e" * 32


def expected_ref(key: bytes, user_id: int) -> str:
    """Written out here rather than imported, so the test pins the scheme itself."""
    return hmac.new(key, b"admin:%d" % user_id, hashlib.sha256).hexdigest()


async def test_the_audit_log_holds_a_keyed_hash_and_the_level_not_the_id(
    admin: FakeUser, tg: FakeTelegram, app: BotApp, svc: Services
) -> None:
    moderator = tg.user(app, first_name="Mo")
    svc.settings = replace(svc.settings, moderator_ids=frozenset({moderator.id}))
    await admin.send(f"/stats {CAMPAIGN}")
    await moderator.send(f"/stats {CAMPAIGN}")
    await moderator.send("/backup")
    rows = await svc.db.fetchall("SELECT * FROM audit_log")
    assert len(rows) == 3
    cells = {str(cell) for row in rows for cell in row}
    assert str(admin.id) not in cells and str(moderator.id) not in cells
    key = svc.settings.signer_key
    found = await svc.db.fetchall("SELECT organiser, level, action FROM audit_log ORDER BY id")
    assert found == [
        (expected_ref(key, admin.id), "admin", "stats"),
        (expected_ref(key, moderator.id), "moderator", "stats"),
        (expected_ref(key, moderator.id), "moderator", "refused"),
    ]


async def _database_before_0005(tmp_path: Path) -> SqliteDatabase:
    """A database at schema 0004 with audit rows (raw ids) and broadcasts, then upgraded."""
    old = tmp_path / "old-migrations"
    old.mkdir()
    for version, path in migration_files():
        if version < 5:
            shutil.copy(path, old / path.name)
    path = tmp_path / "old.sqlite3"
    db = SqliteDatabase(path)
    await db.open(old)
    for admin_id, action in ((111, "export"), (222, "backup")):
        await db.execute(
            "INSERT INTO audit_log (admin_id, action, detail, at) VALUES (?, ?, '', 1)",
            (admin_id, action),
        )
    for status in ("done", "cancelled", "sending"):
        await db.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, created_at)"
            " VALUES ('c', 333, 'x', ?, 1)",
            (status,),
        )
    await db.close()
    db = SqliteDatabase(path)
    await db.open(MIGRATIONS_DIR)
    return db


async def test_rekey_audit_replaces_the_raw_ids_of_older_rows(tmp_path: Path) -> None:
    db = await _database_before_0005(tmp_path)
    try:
        legacy = await db.fetchall("SELECT legacy_admin_id, organiser, level FROM audit_log")
        assert legacy == [(111, None, "admin"), (222, None, "admin")]
        assert await db.atomic(lambda conn: admin_store.rekey_audit(conn, KEY)) == 2
        assert await db.fetchall(
            "SELECT legacy_admin_id, organiser, level, action FROM audit_log ORDER BY id"
        ) == [
            (None, expected_ref(KEY, 111), "admin", "export"),
            (None, expected_ref(KEY, 222), "admin", "backup"),
        ]
        assert await db.atomic(lambda conn: admin_store.rekey_audit(conn, KEY)) == 0
        entries = await admin_store.audit_entries(db)
        assert [(e.organiser, e.action) for e in entries] == [
            (expected_ref(KEY, 222), "backup"),
            (expected_ref(KEY, 111), "export"),
        ]
        # A broadcast that ended before the upgrade forgets its admin; a running one keeps it.
        assert await db.fetchall("SELECT status, admin_id FROM broadcasts ORDER BY id") == [
            ("done", 0),
            ("cancelled", 0),
            ("sending", 333),
        ]
    finally:
        await db.close()


async def test_a_finished_broadcast_forgets_the_admin_id(
    app: BotApp, admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Sub"), "Sub Scriber", notify=True)
    await confirmed_broadcast(admin)
    running = await svc.db.scalar("SELECT admin_id FROM broadcasts")
    assert running == admin.id  # needed while sending, for the progress message
    await app.runtime.broadcaster.join()
    assert "The broadcast is finished: 1 sent, 0 failed." in admin.last.text
    assert await svc.db.fetchone("SELECT status, admin_id FROM broadcasts") == ("done", 0)


async def test_a_cancelled_broadcast_forgets_the_admin_id(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="Sub"), "Sub Scriber", notify=True)
    source = await write_news(admin)
    await broadcast_reply(admin, source, f"/broadcast {CAMPAIGN}")
    await admin.press("Cancel")
    assert await svc.db.fetchone("SELECT status, admin_id FROM broadcasts") == ("cancelled", 0)
