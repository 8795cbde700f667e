"""Words as a fluent reader of each language reads them (#31 item 12): plain terms, no double
colons, titles named with their kind where the grammar needs a noun, language names as words of
the reader's sentence, and percentages rounded."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.services import Services
from bot.domain.goals import percent
from bot.telegram.menus import DESCRIPTION
from tests.support.faketg import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign, without_review

LETTER = "open-doors-letter"


def _read(u: FakeUser) -> str:
    return u.last.text.replace("\u2068", "").replace("\u2069", "")


async def test_english_says_what_it_means(make_user: Callable[..., FakeUser]) -> None:
    u = make_user(first_name="Ann")
    await u.start(CAMPAIGN)
    await press_action(u, "sign|")
    prompt = _read(u)
    assert "only if you choose to." in prompt and "choose so" not in prompt
    assert "keyed pseudonym" not in prompt and "a code computed from it with a secret key" in prompt
    await u.send("Ann Example")
    await press_action(u, f"ok|{CAMPAIGN}|1")
    thanks = _read(u)
    assert "Every signature counts for more when the campaign is shared: pass it on." in thanks
    await u.send("/privacy")
    assert "keyed pseudonym" not in _read(u)
    assert "keyed pseudonym" not in DESCRIPTION


async def test_shown_publicly_has_one_colon(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    without_review(svc)
    u = make_user(first_name="Ann")
    await sign(u, "Ann Example")
    await u.send("/mysignature")
    assert (
        "Shown publicly: yes, in this bot's list of signatories and the documents for the "
        "addressees" in _read(u)
    )


async def test_a_one_page_list_counts_its_names_instead_of_a_range(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    without_review(svc)
    await sign(make_user(first_name="Ann"), "Ann Example")
    reader = make_user(first_name="Rea")
    await reader.send(f"/signatories {CAMPAIGN}")
    assert "1 name" in _read(reader) and "Names 1–1 of 1" not in _read(reader)


async def test_titles_are_named_with_their_kind_in_russian_and_polish(
    make_user: Callable[..., FakeUser],
) -> None:
    russian = make_user(first_name="Иван", language_code="ru")
    await sign(russian, "Иван Петров")
    await russian.send("/withdraw")
    assert "Отозвать вашу подпись под петицией «" in _read(russian)
    polish = make_user(first_name="Jan", language_code="pl")
    await sign(polish, "Jan Kowalski")
    await polish.send("/withdraw")
    assert "Wycofać podpis spod petycji „" in _read(polish)
    letter = make_user(first_name="Олег", language_code="ru")
    await letter.start(LETTER)
    await press_action(letter, "sign|")
    await letter.send("Олег Сидоров")
    assert "под открытым письмом «" in _read(letter)


async def test_language_names_are_words_of_the_readers_sentence(
    make_user: Callable[..., FakeUser],
) -> None:
    russian = make_user(first_name="Иван", language_code="ru")
    await russian.send("/mydata")
    assert "Язык: русский" in _read(russian)
    ukrainian = make_user(first_name="Олена", language_code="uk")
    await ukrainian.start(LETTER)  # no Ukrainian text: shown in English
    notice = _read(ukrainian)
    assert "іншою мовою: англійська." in notice and "English" not in notice
    polish = make_user(first_name="Jan", language_code="pl")
    await polish.start(LETTER)
    notice = _read(polish)
    assert "w innym języku: angielski." in notice and "English" not in notice


async def test_polish_hidden_name_button_reads_as_one_choice(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user(first_name="Jan", language_code="pl")
    await u.start(CAMPAIGN)
    await press_action(u, "sign|")
    await u.send("Jan Kowalski")
    labels = [label for label in u.last.callback_data]
    assert any("Podpisz bez pokazywania imienia i nazwiska" in label for label in labels)
    assert not any("nie pokazuj" in label for label in labels)


async def test_percentages_are_rounded_and_never_full_before_the_goal(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="A"), "Ann One")
    await sign(make_user(first_name="B"), "Ben Two")
    await admin.send(f"/goal {CAMPAIGN} next 3")
    progress, *_ = await make_user().send("/progress")
    assert "67%" in progress.text  # 2 of 3, not a truncated 66%
    assert percent(999, 1000) == "99" and percent(1000, 1000) == "100"
    assert percent(1, 1000) == "<1" and percent(5, 1000) == "1"
    from bot.domain.stats import rounded_percent  # the funnel's rate rounds the same way

    assert rounded_percent(2, 3) == 67 and rounded_percent(1, 8) == 13
