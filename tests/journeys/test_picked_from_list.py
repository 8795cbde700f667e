"""/addressees, /signatories and /share with more than one campaign: the list they show opens
what was asked for, in place of the list."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.faketg import BOT_USERNAME, FakeUser
from tests.support.steps import CAMPAIGN

PICK = "Doctors and family"  # the button of the campaign CAMPAIGN in the list


async def _list_of(user: FakeUser, command: str) -> int:
    [listed] = await user.command(command)
    assert "Choose a campaign" in listed.text and len(listed.buttons) == 2, listed
    return listed.message_id


async def test_addressees_picked_from_the_list_opens_its_decision_makers(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    listed = await _list_of(u, "addressees")
    await u.press(PICK)
    [page] = u.messages
    assert page.message_id == listed  # the list became the page
    assert "decision makers:" in page.text and "1. " in page.text, page.text
    assert "Read the full text" not in str(page.buttons)  # not the card


async def test_signatories_picked_from_the_list_opens_who_signed(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    listed = await _list_of(u, "signatories")
    await u.press(PICK)
    [page] = u.messages
    assert page.message_id == listed
    assert "Public signatories" in page.text or "public name" in page.text, page.text
    assert "Read the full text" not in str(page.buttons)


async def test_share_picked_from_the_list_sends_the_share_message_in_its_place(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await _list_of(u, "share")
    await u.press(PICK)
    [share] = u.messages  # the QR code and the link; the list is gone
    assert share.photo is not None
    assert share.caption is not None
    assert f"https://t.me/{BOT_USERNAME}?start={CAMPAIGN}" in share.caption
