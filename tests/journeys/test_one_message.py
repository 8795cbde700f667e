"""The signing flow stays in one message while many people sign at once.

Telegram numbers private-chat messages per bot account, so the ids of one chat interleave with
every other chat's (the fake does the same): the flow must tell "nothing came after my message"
from what it saw in that chat, never from the id before the incoming one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.telegram.context import BotApp
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.harness import Driver, queued_user
from tests.support.steps import CAMPAIGN, press_action, sign

SIGNERS = 200


async def test_two_hundred_people_signing_at_once_from_a_deep_link_get_one_message_each(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """Half type name, role and organisation at once; half use the profile name and type
    role and organisation after "Add role and organisation"."""
    app, driver = running
    users = [queued_user(tg, driver, first_name=f"Many{i}") for i in range(SIGNERS)]
    await asyncio.gather(
        *(
            sign(u, f"Many Signer{i}", "Nurse", "Clinic") if i % 2 else sign(u, None, "Nurse", "X")
            for i, u in enumerate(users)
        )
    )
    rows = await app.runtime.services.db.scalar("SELECT COUNT(*) FROM signatures")
    assert rows == SIGNERS
    for user in users:
        [thanks] = user.messages  # the card became the flow, then the thanks: one message
        assert "Thank you" in thanks.text, thanks
    tg.assert_no_violations()


async def test_a_name_typed_while_others_sign_edits_the_flow_message(
    make_user: Callable[..., FakeUser],
) -> None:
    """Between the prompt and the typed name another chat took message ids: still edited."""
    anna, boris = make_user(first_name="Anna"), make_user(first_name="Boris")
    await anna.start(CAMPAIGN)
    await press_action(anna, "sign|")
    prompt = anna.last.message_id
    await boris.start(CAMPAIGN)
    await press_action(boris, "sign|")
    await anna.send("Anna Example")
    [preview] = anna.messages
    assert preview.message_id == prompt and "Anna Example" in preview.text


async def test_a_message_after_the_flow_moves_it_below(
    make_user: Callable[..., FakeUser],
) -> None:
    """Something the bot sent after the prompt (a command's answer): the preview comes below
    it as a new message, as before."""
    anna = make_user(first_name="Anna")
    await anna.start(CAMPAIGN)
    await press_action(anna, "sign|")
    prompt = anna.last.message_id
    await anna.command("help")
    await anna.send("Anna Example")
    assert anna.last.message_id > prompt and "Anna Example" in anna.last.text
