"""Every path that deletes or overwrites personal data leaves no old copy in any database file.

Each path is driven through the real Application (the fake Telegram), then the bytes of the
.sqlite3, -wal and -shm files are searched for the old value (bot.core.erasure).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.core.services import Services
from tests.faketg import FakeUser
from tests.journeys import CAMPAIGN, press_action


def _files(svc: Services) -> bytes:
    """Every byte SQLite keeps for this database: the file, its journal and shared memory."""
    path = Path(svc.settings.database_path)
    names = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    return b"".join(name.read_bytes() for name in names if name.exists())


async def test_an_edit_with_automatic_clean_up_leaves_no_old_name_in_the_journal(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Auto Old Spelling")
    await u.press("Sign with my name")
    await u.send("/mysignature")
    await press_action(u, f"edit|{CAMPAIGN}")
    await u.send("Auto New Spelling")
    await u.press("Save, show my name")
    rows = await svc.db.fetchall("SELECT name FROM signatures")
    assert rows == [("Auto New Spelling",)]
    assert b"Auto Old Spelling" not in _files(svc)
