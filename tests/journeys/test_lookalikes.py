"""Look-alike names: refused where no real name needs the trick, held where it looks like one
already listed, and stored as the person wrote it (NFC, "№" stays "№")."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from bot.core.services import Services
from bot.i18n import I18n
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign, without_review

FSI, PDI = "\u2068", "\u2069"


def plain(user: FakeUser) -> str:
    return user.last.text.replace(FSI, "").replace(PDI, "")


async def test_a_lookalike_of_a_listed_name_is_held_for_review_even_without_review(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    without_review(svc)
    await sign(make_user(first_name="O"), "Olga Sokolova", role="Judge")
    forger = make_user(first_name="F")
    await sign(forger, "0LGA SOKOLOVA", role="Judge")  # a zero, capitals
    assert "looks like one already on the list" in plain(forger)
    await forger.command("mysignature")
    assert "once an organiser has checked it" in plain(forger)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    listed = plain(reader)
    assert "Olga Sokolova" in listed and "0LGA" not in listed
    assert "1 more public name waits for an organiser's check" in listed
    await admin.send(f"/export {CAMPAIGN} pdf")
    document = admin.last.document
    assert document is not None
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document[0])).pages)
    assert "Olga Sokolova" in pdf and "0LGA" not in pdf
    # The organisers see it in /review although the campaign lists without review.
    await admin.command("review", CAMPAIGN)
    assert "0LGA SOKOLOVA" in plain(admin) and "Olga Sokolova" not in plain(admin)
    await admin.press("Approve 1 name")
    await reader.command("signatories", CAMPAIGN)
    assert "0LGA SOKOLOVA" in plain(reader)
    # A name unlike any other is listed at once, as the campaign says.
    await sign(make_user(first_name="P"), "Pavel Other")
    await reader.command("signatories", CAMPAIGN)
    assert "Pavel Other" in plain(reader)


async def test_mixed_scripts_and_stacked_marks_are_refused_in_the_users_language(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    person = make_user(first_name="M", language_code="ru")
    await person.start(CAMPAIGN)
    await press_action(person, "sign|")
    await person.send("Olg\u0430 Sokolova")  # a Cyrillic "а" in a Latin word
    assert "букв" in plain(person) and "алфавит" in plain(person), plain(person)
    await person.send("Z\u0336\u0322\u031ba\u0335lgo Sokolova")
    assert "знак" in plain(person), plain(person)
    await person.send("Olga Sokolova")
    assert "Olga Sokolova" in plain(person)  # the preview: accepted
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 0


async def test_a_name_is_stored_as_written_with_no_compatibility_folding(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    signer = make_user(first_name="Z")
    await sign(signer, "Zoe\u0308 Adams", org="Школа №1, Мінск")
    await signer.command("mysignature")
    assert "Zo\u00eb Adams" in plain(signer) and "Школа №1, Мінск" in plain(signer)
    stored = await svc.db.fetchone("SELECT name, organisation FROM signatures")
    assert stored == ("Zo\u00eb Adams", "Школа №1, Мінск")  # NFC; "№" is not "No"


@pytest.mark.parametrize("language", ["en", "be", "ru", "uk", "pl"])
async def test_a_held_name_is_told_whole_in_the_pop_up_of_a_chat_that_keeps_no_trace(
    make_user: Callable[..., FakeUser], svc: Services, language: str
) -> None:
    """The thank-you pop-up of automatic clean-up fits Telegram's 200 characters with the
    held-name line whole, in every language (cut short, it stopped mid-sentence)."""
    t = I18n().get(language)
    without_review(svc)
    await sign(make_user(first_name="O"), "Olga Sokolova", role="Judge")
    forger = make_user(first_name="F", language_code=language)
    await forger.send("/privacy")
    await press_action(forger, "auto|1")
    await forger.start(CAMPAIGN)
    await press_action(forger, "sign|")
    await forger.send("0LGA SOKOLOVA\nJudge")
    await press_action(forger, f"ok|{CAMPAIGN}|1")
    popup = forger.last_answer or {}
    held = t._(
        "Your name looks like one already on the list of signatories, so it will appear "
        "there once an organiser has checked it. Your signature counts already."
    )
    assert popup.get("show_alert") is True and held in popup["text"], popup
