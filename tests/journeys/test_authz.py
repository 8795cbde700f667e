"""A stranger cannot use admin commands or forge buttons against someone else's signature.

Admin commands answer non-admins exactly like an unknown command (nothing reveals they
exist), and forged or replayed callback data changes nothing in the database.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.services import Services
from bot.storage import broadcasts as broadcast_store
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign

ADMIN_COMMANDS = (
    "/export",
    "/export csv",
    "/stats",
    "/remove 1",
    "/block 1",
    "/broadcast Hello everyone",
    "/backup",
    "/reload",
    "/goal 100",
    "/goal medical-access 5000",
    "/source press",
)


async def snapshot(svc: Services) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (the schema's own list, so no new table escapes the check)."""
    tables = [
        str(r[0])
        for r in await svc.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    return {t: sorted(await svc.db.fetchall(f"SELECT * FROM {t}"), key=repr) for t in tables}


@pytest.fixture
async def victim(make_user: Callable[..., FakeUser], svc: Services) -> FakeUser:
    """Someone who signed (signature #1) and asked for updates."""
    u = make_user(first_name="Vera", last_name="Victim")
    await sign(u, name="Vera Victim")
    return u


async def test_admin_commands_look_unknown_to_non_admins(
    victim: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    stranger = make_user(first_name="Mallory")
    [unknown] = await stranger.send("/definitelynotacommand")
    before = await snapshot(svc)
    for command in ADMIN_COMMANDS:
        replies = await stranger.send(command)
        assert len(replies) == 1, (command, replies)
        assert replies[0].text == unknown.text, command
        assert not replies[0].raw.get("document"), command
    assert await snapshot(svc) == before


async def test_forged_callbacks_change_nothing(
    victim: FakeUser, make_user: Callable[..., FakeUser], svc: Services, tg: FakeTelegram
) -> None:
    broadcast_id = await broadcast_store.draft_for(svc.db, CAMPAIGN, 1, svc.now())
    await broadcast_store.set_draft_text(svc.db, broadcast_id, "en", "<b>hi</b>", default=True)
    stranger = make_user(first_name="Mallory")
    await stranger.send("/help")
    anchor = stranger.last
    before = await snapshot(svc)
    signed_at = await svc.db.scalar("SELECT signed_at FROM signatures WHERE number = 1")
    to_victim = len(tg.calls_to("sendMessage", victim.id))
    forged = [
        f"1|wdy|{CAMPAIGN}",  # withdraw "someone's" signature
        f"1|wd|{CAMPAIGN}",
        f"1|ok|{CAMPAIGN}",  # confirm without a draft
        f"1|pub|{CAMPAIGN}|1",
        f"1|skip|{CAMPAIGN}|role",
        f"1|edit|{CAMPAIGN}",
        f"1|notify|{CAMPAIGN}|0",
        f"1|rm|1|{signed_at}",  # moderator: remove signature 1 (a well-formed button)
        f"1|blk|1|{signed_at}",  # moderator: remove and block
        "1|rm|1",  # the format before the button carried signed_at
        f"1|bc|{broadcast_id}",  # admin: send a broadcast
        f"1|bcx|{broadcast_id}",  # admin: discard it
        "1|no",
        "1|rm|999999999",
        "0|rm|1",  # an old version
        f"1|rm|1|{signed_at}|extra",
        "1|rm|-1",
        "",
    ]
    for data in forged:
        if data:
            await stranger.press_data(data, anchor)
    # The victim's own old buttons, replayed later, do not sign twice either.
    await victim.press_data(f"1|ok|{CAMPAIGN}", victim.last)
    after = await snapshot(svc)
    # "edit" would open an editing draft only over the presser's own signature: none here.
    assert after == before
    status = await svc.db.scalar("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert status == "draft"
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 1
    assert len(tg.calls_to("sendMessage", victim.id)) == to_victim  # nobody was messaged
    tg.assert_no_violations()
