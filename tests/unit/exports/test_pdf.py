"""The PDF for decision makers, read back with pypdf: text runs with their positions on the page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from bot.domain.campaigns import Campaign, CampaignText
from bot.exports.pdf import write_pdf
from bot.i18n import I18n, Translator
from bot.storage.engine import Row

NOW = 1_790_000_000
TITLE = (
    "Doctors and family visits for political prisoners in Belarus, in every prison and colony,"
    " without exception and without delay, and a word too long for one line:"
    " Supercalifragilisticexpialidociousandthensomemoreletterstomakeitlongerthanaline"
)
PARAGRAPH = (
    "We, the undersigned, ask the ministry to let independent doctors examine every prisoner"
    " who asks for it, to let families visit at least once a month, and to publish the rules"
    " that decide who may visit, so that no prison can refuse a visit without a written reason."
)
LATIN = ("Anna Kowalska", "Teacher", "Primary School 5")
CYRILLIC = ("Олена Коваленко", "лікарка", "Київська міська лікарня")
ARABIC = ("محمد علي", "مهندس", None)
HEBREW = ("דוד כהן", None, None)
LONG_ROLE = (
    "Jan Nowak",
    "Professor of internal medicine and head of the department of infectious diseases",
    "Medical University of Warsaw, Faculty of Medicine, Department of Infectious Diseases",
)
ARABIC_LONG = (
    "محمد الأحمد",
    "أستاذ في كلية الطب والعلوم الصحية بجامعة دمشق، قسم الجراحة العامة والتخصصية",
    "منظمة أطباء بلا حدود، مكتب الشرق الأوسط",
)


@pytest.fixture(scope="module")
def t() -> Translator:
    return I18n().get("en")


def _campaign(title: str = TITLE) -> Campaign:
    text = CampaignText("en", title, "Summary.", (PARAGRAPH, "A second, short paragraph."))
    return Campaign(
        slug="visits",
        kind="petition",
        is_open=True,
        default_language="en",
        started=None,
        goals=(),
        addressees=("Ministry of Health",),
        texts={"en": text},
    )


async def _rows(rows: Sequence[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y: float


def _runs(page: Any) -> list[Run]:
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            runs.append(Run(text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return runs


async def _write(
    tmp_path: Path,
    t: Translator,
    rows: Sequence[Row],
    total: int,
    title: str = TITLE,
) -> tuple[int, PdfReader]:
    path = tmp_path / "signatures.pdf"
    with path.open("wb") as out:
        named = await write_pdf(out, _campaign(title), t, _rows(rows), total, len(rows), NOW)
    return named, PdfReader(path)


def _date(t: Translator) -> str:
    return t.date(datetime.fromtimestamp(NOW, UTC).date())


def _extra_word_gaps(reader: PdfReader, page: Any) -> list[float]:
    """Spacing added between words beyond the space itself, in thousandths of an em.

    fpdf2 justifies embedded fonts with TJ offsets (and could with Tw word spacing); DejaVu's
    space is 318 thousandths wide; a regular gap adds nothing, a justified one tens or hundreds.
    """
    gaps: list[float] = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"TJ":
            gaps.extend(-float(item) for item in operands[0] if isinstance(item, int | float))
        elif operator == b"Tw":
            gaps.append(float(operands[0]) * 1000)
    return gaps


async def test_title_and_text_are_left_aligned_with_regular_word_gaps(
    tmp_path: Path, t: Translator
) -> None:
    _, reader = await _write(tmp_path, t, [LATIN], total=1)
    page = reader.pages[0]
    runs = _runs(page)
    left = runs[0].x
    title_runs = [r for r in runs if " ".join(r.text.split()) in TITLE]
    paragraph_runs = [r for r in runs if " ".join(r.text.split()) in PARAGRAPH]
    assert len(title_runs) >= 4 and len(paragraph_runs) >= 3  # wrapped, on several lines
    assert all(abs(r.x - left) < 0.5 for r in title_runs + paragraph_runs)
    # Justified lines stretch the gaps between words: pypdf reads them as double spaces.
    assert not [r.text for r in title_runs + paragraph_runs if "  " in r.text]
    assert all(gap < 20 for gap in _extra_word_gaps(reader, page))  # under 1/16 of a space
    # Wrapped on word boundaries; the word longer than a line is cut, on a line of its own.
    lines = [r.text for r in title_runs]
    assert " ".join(lines[:-2]).split() == TITLE.split()[:-1]
    assert "".join(lines[-2:]) == TITLE.split()[-1]


async def test_right_to_left_names_are_numbered_on_the_left(tmp_path: Path, t: Translator) -> None:
    rows = [LATIN, CYRILLIC, LONG_ROLE, LATIN, ARABIC, HEBREW, ARABIC_LONG]
    named, reader = await _write(tmp_path, t, rows, total=7)
    assert named == 7
    assert len(reader.pages) == 1  # the list under the short text
    runs = _runs(reader.pages[0])
    numbers = {r.text: r for r in runs if r.text.rstrip(".").isdigit()}
    assert set(numbers) == {f"{n}." for n in range(1, 8)}  # "5.", never ".5"
    assert not [r for r in runs if r.text.startswith(".") and r.text[1:2].isdigit()]
    for number, name in (("5.", ARABIC[0]), ("6.", HEBREW[0]), ("7.", ARABIC_LONG[0])):
        mark = numbers[number]
        line = next(r for r in runs if name in r.text)
        assert abs(line.y - mark.y) < 0.5
        assert mark.x < line.x
    # One column for the numbers, one for the names; wrapped lines stay under the names.
    name_x = {round(r.x, 1) for r in runs if r.text.startswith(tuple(row[0] for row in rows))}
    assert len(name_x) == 1
    assert len({round(r.x, 1) for r in numbers.values()}) == 1
    below = [r for r in runs if r.y < numbers["3."].y and r.y > numbers["4."].y]
    assert below and all(abs(r.x - min(name_x)) < 0.5 for r in below)
    below = [r for r in runs if 60 < r.y < numbers["7."].y]  # above the page number
    assert below and all(abs(r.x - min(name_x)) < 0.5 for r in below)


async def test_every_page_has_its_number_and_later_pages_a_running_header(
    tmp_path: Path, t: Translator
) -> None:
    rows = [(f"Person Number {i}", "Teacher", None) for i in range(700)]
    named, reader = await _write(tmp_path, t, rows, total=703)
    assert named == 700
    pages = len(reader.pages)
    assert pages >= 3
    totals = "700 public signatories · 3 more signed without a public name"
    first = _runs(reader.pages[0])
    assert f"{_date(t)} · 703 signatures" in [r.text for r in first]
    assert totals in [r.text for r in first]
    for number, page in enumerate(reader.pages, start=1):
        runs = _runs(page)
        assert [r.text for r in runs].count(f"Page {number} of {pages}") == 1
        if number == 1:
            assert runs[0].text == TITLE[: len(runs[0].text)]  # the title in full, big
            continue
        top = max(runs, key=lambda r: r.y)
        assert top.text.endswith("…") and TITLE.startswith(top.text[:-1])
        assert [r.text for r in runs if r.y == top.y] == [top.text]  # one line
        assert f"{_date(t)} · {totals}" in [r.text for r in runs]
    last = _runs(reader.pages[-1])
    assert "and 3 more who signed without a public name" in [r.text for r in last]


async def test_short_title_in_the_header_is_not_cut(tmp_path: Path, t: Translator) -> None:
    rows = [(f"Person Number {i}", None, None) for i in range(120)]
    _, reader = await _write(tmp_path, t, rows, total=120, title="Visits now")
    assert len(reader.pages) >= 2
    runs = _runs(reader.pages[1])
    assert max(runs, key=lambda r: r.y).text == "Visits now"
    assert f"{_date(t)} · 120 public signatories" in [r.text for r in runs]


async def test_no_public_names_means_a_sentence_not_an_empty_list(
    tmp_path: Path, t: Translator
) -> None:
    named, reader = await _write(tmp_path, t, [], total=5)
    assert named == 0
    assert len(reader.pages) == 1
    texts = [r.text for r in _runs(reader.pages[0])]
    assert "None of the 5 signatures carries a public name." in texts
    assert f"{_date(t)} · 5 signatures" in texts
    assert "Page 1 of 1" in texts
    assert not [text for text in texts if text.startswith("1.")]


async def test_one_anonymous_signature_and_nobody_at_all(tmp_path: Path, t: Translator) -> None:
    _, reader = await _write(tmp_path, t, [], total=1)
    assert "The 1 signature carries no public name." in reader.pages[0].extract_text()
    _, reader = await _write(tmp_path, t, [], total=0)
    assert "Nobody has signed yet." in reader.pages[0].extract_text()


async def test_all_scripts_come_out_as_written(tmp_path: Path, t: Translator) -> None:
    rows = [LATIN, CYRILLIC, ARABIC, HEBREW, ARABIC_LONG]
    _, reader = await _write(tmp_path, t, rows, total=5)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in ("Anna Kowalska", "Олена Коваленко", "محمد علي", "דוד כהן", "محمد الأحمد"):
        assert name in text
    assert ARABIC[0][::-1] not in text and HEBREW[0][::-1] not in text  # not reversed


async def test_an_entry_is_not_split_between_pages(tmp_path: Path, t: Translator) -> None:
    rows = [LONG_ROLE, ARABIC_LONG, LATIN] * 60
    _, reader = await _write(tmp_path, t, rows, total=180)
    assert len(reader.pages) >= 4
    for page in reader.pages[2:]:  # the list goes on from an earlier page
        runs = _runs(page)
        header = max(r.y for r in runs)
        first = max((r for r in runs if r.y < header - 20), key=lambda r: r.y)
        assert first.text.rstrip(".").isdigit(), first  # an entry starts, with its number


async def test_a_short_list_follows_the_text_on_the_same_page(
    tmp_path: Path, t: Translator
) -> None:
    named, reader = await _write(tmp_path, t, [LATIN, CYRILLIC, LONG_ROLE], 3, title="Visits")
    assert named == 3
    assert len(reader.pages) == 1  # no page of its own for three names under a short text
    text = reader.pages[0].extract_text()
    assert text.index("A second, short paragraph.") < text.index("Signatories")
    assert text.index("Signatories") < text.index("Anna Kowalska")


async def test_the_list_starts_a_new_page_when_the_text_leaves_no_room(
    tmp_path: Path, t: Translator
) -> None:
    path = tmp_path / "signatures.pdf"
    text = CampaignText("en", "Visits", "Summary.", (PARAGRAPH,) * 9 + ("Last paragraph.",))
    campaign = replace(_campaign(), texts={"en": text})
    with path.open("wb") as out:
        await write_pdf(out, campaign, t, _rows([LATIN, CYRILLIC]), 2, 2, NOW)
    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    heading = next(i for i, page in enumerate(pages) if "Signatories" in page)
    # Under the text if a heading and a few names fit there, else at the top of the next page.
    lines = pages[heading].split("Signatories")[1]
    assert "Anna Kowalska" in lines and "Олена Коваленко" in lines


async def test_the_document_leaves_out_the_paragraphs_for_supporters(
    tmp_path: Path, t: Translator
) -> None:
    text = CampaignText(
        "en", "Visits", "Summary.", (PARAGRAPH, "Please pass the petition on."), supporters_from=1
    )
    campaign = replace(_campaign(), texts={"en": text})
    path = tmp_path / "signatures.pdf"
    with path.open("wb") as out:
        await write_pdf(out, campaign, t, _rows([LATIN]), 1, 1, NOW)
    printed = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "undersigned" in printed and "pass the petition on" not in printed
