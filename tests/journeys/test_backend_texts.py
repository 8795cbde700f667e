"""What the bot tells people about erasure and backups is true of the engine in use."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import BOTH_BACKENDS
from tests.support.faketg import FakeUser
from tests.support.steps import sign

pytestmark = BOTH_BACKENDS

_SERVER_COPIES = "copies can remain in the server's log, replicas and backups"


async def test_privacy_says_what_a_withdrawal_leaves_on_the_engine_in_use(
    make_user: Callable[..., FakeUser], backend: str
) -> None:
    u = make_user()
    [notice] = await u.send("/privacy")
    assert (_SERVER_COPIES in notice.text) == (backend == "postgres")
    await sign(u, "Ira Engine")
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    on_postgres = "deleted from the database" in u.last.text
    assert on_postgres == (backend == "postgres")
    assert ("withdrawn and erased" in u.last.text) == (backend == "sqlite")


async def test_a_backup_of_postgres_points_to_pg_dump(admin: FakeUser, backend: str) -> None:
    await admin.send("/backup")
    if backend == "postgres":
        assert admin.last.document is None
        assert "pg_dump" in admin.last.text
    else:
        assert admin.last.document is not None
