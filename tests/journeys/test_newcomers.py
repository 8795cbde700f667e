"""What a newcomer setting the bot up needs from it: their own Telegram id, on request."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.services import Services
from tests.support.faketg import FakeTelegram, FakeUser


async def test_myid_tells_a_person_their_id_in_the_private_chat(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    newcomer = make_user(first_name="Nina")
    await newcomer.send("/myid")
    assert f"Your Telegram id: {newcomer.id}" in newcomer.last.text
    assert "ADMIN_IDS or MODERATOR_IDS" in newcomer.last.text
    for table in ("preferences", "drafts", "subscriptions", "signatures"):
        assert await svc.db.scalar(f"SELECT COUNT(*) FROM {table}", (), 0) == 0


async def test_myid_is_not_answered_in_a_group(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    member = make_user(first_name="Gus")
    group = tg.group(title="Supporters")
    await tg.add_bot_to_group(group, member)
    before = len(tg.calls_to("sendMessage", chat_id=group.id))
    await member.send("/myid", chat=group)
    sent = tg.calls_to("sendMessage", chat_id=group.id)[before:]
    assert not any(str(member.id) in str(c.params.get("text", "")) for c in sent)
