"""A phone that may be searched keeps no trace of signing (the README's threat model row
"someone who holds the signer's phone" names these tests)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest

from bot.core.services import Services
from bot.i18n import I18n
from bot.telegram import jobs
from tests.conftest import Clock
from tests.support.faketg import FakeTelegram, FakeUser, Faults
from tests.support.steps import CAMPAIGN, close_campaign, press_action, sign

I18N = I18n()
TYPED = ("Secret Signer", "Trauma Surgeon", "Free Clinic Nine")


def _texts(u: FakeUser) -> list[str]:
    return [m.text or m.caption or "" for m in u.all_messages]


def _says_signed(t_texts: list[str], language: str) -> bool:
    t = I18N.get(language)
    words = [
        t._("Thank you! Your signature is recorded."),
        t._("Your signature has been withdrawn and erased."),
        t._("Sign"),
    ]
    return any(w in text for text in t_texts for w in words)


@pytest.mark.parametrize("language", ["en", "be", "ru", "uk", "pl"])
async def test_signing_leaves_no_typed_name_and_leave_no_trace_leaves_one_neutral_line(
    make_user: Callable[..., FakeUser], language: str
) -> None:
    t = I18N.get(language)
    u = make_user(first_name="Ales", language_code=language)
    await sign(u, *TYPED)
    assert t._("Thank you! Your signature is recorded.") in u.last.text
    assert not any(typed in text for text in _texts(u) for typed in TYPED), _texts(u)
    await press_action(u, "clean")
    left = _texts(u)
    assert len(left) == 1, left
    assert not _says_signed(left, language) and "48" in left[0]


async def test_after_withdrawal_the_clean_up_removes_every_sign_of_it(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await sign(u, "Gone Signer")
    await u.send("/mysignature")
    await u.send("/mydata")
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    await u.press("Leave no trace in this chat")
    left = _texts(u)
    assert len(left) == 1 and not _says_signed(left, "en")
    assert "withdraw" not in left[0].lower() and "Gone Signer" not in left[0]


async def test_automatic_clean_up_needs_no_press(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")
    assert "Automatic clean-up after signing: on" in str(u.last.buttons)
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Auto Signer")
    await u.press("Sign with my name")
    assert "Thank you" in (u.last_answer or {}).get("text", "")  # a passing notice only
    left = _texts(u)
    assert len(left) == 1 and not _says_signed(left, "en")
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 1
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    left = _texts(u)
    assert len(left) == 1 and not _says_signed(left, "en")
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 0


async def test_a_reader_or_a_canceller_can_clean_up_too(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Read the full text")
    await u.press("Sign")
    await u.send("Cancel Me")
    [cancelled] = await u.send("/cancel")
    assert "Leave no trace" in str(cancelled.buttons)
    await u.press("Leave no trace in this chat")
    assert len(_texts(u)) == 1 and "Doctors and family" not in _texts(u)[0]


async def test_messages_telegram_no_longer_lets_delete_are_explained(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    tg.age_messages(u.id, 49 * 3600)  # the card is now older than 48 hours
    await u.send("/privacy")
    await u.press("Leave no trace in this chat")
    left = _texts(u)
    assert any("Doctors and family" in text for text in left)  # Telegram kept it
    assert "older than 48 hours cannot be deleted" in left[-1]
    assert "delete the chat (for both sides" in left[-1] and "auto-delete" in left[-1]


async def test_the_fake_refuses_old_deletions_as_telegram_does(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    u = make_user()
    [card] = await u.start(CAMPAIGN)
    tg.age_messages(u.id, 49 * 3600)
    status, reply = tg.execute("deleteMessage", {"chat_id": u.id, "message_id": card.message_id})
    assert status == 400 and "can't be deleted" in reply["description"]
    status, _ = tg.execute("deleteMessages", {"chat_id": u.id, "message_ids": [card.message_id]})
    assert status == 200 and card.message_id in u.chat.messages  # skipped, not deleted
    tg.violations.clear()


async def test_a_clean_up_that_fails_half_way_does_not_claim_it_finished(
    make_user: Callable[..., FakeUser], tg: FakeTelegram
) -> None:
    u = make_user()
    await sign(u, "Half Way")
    tg.faults = Faults(rate=1.0, kinds=("5xx",), methods=("deleteMessages",))
    await press_action(u, "clean")
    tg.faults = None
    assert "Telegram stopped me before the end" in u.last.text
    assert "I removed what Telegram still lets me remove" not in u.last.text


async def test_the_trail_goes_with_the_clean_up_and_time_and_stays_with_stop(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    """/stop stops updates only: a later clean-up still finds where the conversation began."""
    rows = "SELECT COUNT(*) FROM trail"
    u = make_user()
    await u.start(CAMPAIGN)
    assert await svc.db.scalar(rows) == 1
    await u.send("/privacy")
    await u.press("Leave no trace in this chat")
    assert await svc.db.scalar(rows) == 0
    await u.start(CAMPAIGN)
    await u.send("/stop")
    assert await svc.db.scalar(rows) == 1
    await u.send("/privacy")
    await u.press("Leave no trace in this chat")
    assert await svc.db.scalar(rows) == 0
    await make_user().start(CAMPAIGN)
    clock.advance(svc.settings.draft_ttl_hours * 3600 + 1)
    await jobs.expire_drafts(SimpleNamespace(svc=svc))  # type: ignore[arg-type]
    assert await svc.db.scalar(rows) == 0


async def test_the_campaigns_safety_note_comes_before_the_name(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user(language_code="be")
    [card] = await u.start(CAMPAIGN)
    assert "⚠️" in card.text and "Беларусі" in card.text
    await press_action(u, "sign|")
    prompt = u.last.text
    assert prompt.index("⚠️") < prompt.index(I18N.get("be")._("Your name"))


@pytest.mark.parametrize("auto", [False, True], ids=["by hand", "automatic clean-up"])
async def test_leave_no_trace_can_leave_the_chat_empty(
    make_user: Callable[..., FakeUser], auto: bool
) -> None:
    """The advice about what a bot cannot delete comes in a note whose own button deletes it,
    so nothing about erasing is left for a searched phone to show."""
    u = make_user()
    if auto:
        await u.send("/privacy")
        await u.press("Automatic clean-up after signing: off")
        await u.start(CAMPAIGN)
        await u.press("Sign")
        await u.send("Empty Chat")
        await u.press("Sign with my name")
    else:
        await sign(u, "Empty Chat")
        await press_action(u, "clean")
    [note] = _texts(u)
    assert "older than 48 hours cannot be deleted" in note
    await u.press("Delete this note too")
    assert _texts(u) == []
    assert u.last_answer is not None  # the tap is answered


async def test_text_typed_outside_the_flow_does_not_stay_in_the_chat(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await sign(u, "Typed Again")
    await u.send("Typed Again")  # a name typed again after signing
    assert "To read or sign a campaign, send /start." in u.last.text
    assert not any("Typed Again" in text for text in _texts(u)), _texts(u)
    late = make_user()
    await late.start(CAMPAIGN)
    await late.press("Sign")
    close_campaign(svc, CAMPAIGN, clock)
    await late.send("Typed While Closed")
    assert "has closed, so nothing was recorded" in late.last.text
    assert not any("Typed While Closed" in text for text in _texts(late)), _texts(late)
