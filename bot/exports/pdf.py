"""The PDF to hand to decision makers: title, full text, date, counts and the public signatories.

fpdf2 embeds (a subset of) the shipped DejaVu Sans, so Cyrillic, Arabic and Hebrew render on any
machine. Anonymous signatures are counted, never named. Every text is left-aligned: fpdf2
justifies `multi_cell` by default, which spreads the words of a short line across the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from fpdf import FPDF

from bot.domain.campaigns import Campaign
from bot.exports import FONT_PATH
from bot.exports.tabular import list_line
from bot.i18n import Translator
from bot.storage.engine import Row

_FONT = "DejaVu"
_BATCH = 500
_MARGIN = 20  # mm, left, right and top
_BOTTOM = 18  # mm kept free for the page number
_GREY = 90
_ENTRY = 5.5  # line height of a signatory, mm


class _Document(FPDF):
    """A4 with the page number on every page and a running header on every page but the first."""

    def __init__(self, running: tuple[str, str], page_label: str, public: int) -> None:
        super().__init__(format="A4")
        self._running = running  # the title and the date with the totals
        self._page_label = page_label
        self._widest = public  # the numbers' column fits the last number from the start
        self._number_width = 0.0
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=_BOTTOM)
        self.add_font(_FONT, "", str(FONT_PATH))

    def shape(self, on: bool) -> None:
        """HarfBuzz shaping, switched on only for right-to-left text.

        Without it Arabic or Hebrew comes out in reversed, unjoined letters; with it for every
        line a long signatory list takes several times longer.
        """
        if on != (self.text_shaping is not None):
            self.set_text_shaping(on)

    def header(self) -> None:
        if self.page_no() == 1:
            return  # the first page shows all of it in full
        shaping = self.text_shaping
        title, facts = self._running
        width = self.epw - 2 * self.c_margin
        self.set_text_color(_GREY)
        self.set_font(_FONT, size=9)
        self.shape(_right_to_left(title))
        self.cell(0, 5, _one_line(self, title, width), new_x="LMARGIN", new_y="NEXT")
        self.set_font(_FONT, size=8)
        self.shape(_right_to_left(facts))
        self.cell(0, 4.5, _one_line(self, facts, width), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(_GREY)
        self.line(self.l_margin, self.y + 1, self.w - self.r_margin, self.y + 1)
        self.set_y(self.y + 5)
        self.text_shaping = shaping

    def footer(self) -> None:
        shaping = self.text_shaping
        self.shape(False)  # the page count is filled in later, in unshaped text only
        self.set_y(-12)
        self.set_text_color(_GREY)
        self.set_font(_FONT, size=8)
        self.cell(0, 6, self._page_label.format(page=self.page_no()), align="C")
        self.text_shaping = shaping

    def paragraph(self, height: float, text: str) -> None:
        self.shape(_right_to_left(text))
        self.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def entry(self, number: int, text: str) -> None:
        """The number in a column of its own, "12." whatever the name's script (inside an
        Arabic line it would read ".12"), then the name; wrapped lines stay under the name, and
        an entry is not split between pages.

        Most entries fit on one line and go in a `cell`: `multi_cell` costs several times more.
        """
        if number > self._widest or not self._number_width:
            self._widest = max(self._widest, number)
            digits = "0" * len(str(self._widest))
            self._number_width = self.get_string_width(digits + ".") + 2 * self.c_margin
        width = self._number_width
        self.shape(_right_to_left(text))
        shaping = self.text_shaping
        length = self.get_string_width(text) / (self.epw - width - 2 * self.c_margin)
        one_line = length <= 1
        if not one_line and self.y + (length + 2) * _ENTRY > self.page_break_trigger:
            lines = self.multi_cell(self.epw - width, _ENTRY, text, dry_run=True, output="LINES")
            if isinstance(lines, list) and self.y + len(lines) * _ENTRY > self.page_break_trigger:
                self.add_page()
        self.text_shaping = None
        self.cell(width, _ENTRY, f"{number}.", align="R")
        self.text_shaping = shaping
        if one_line:
            self.cell(0, _ENTRY, text, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, _ENTRY, text, align="L", new_x="LMARGIN", new_y="NEXT")


async def write_pdf(
    out: BinaryIO,
    campaign: Campaign,
    t: Translator,
    names: AsyncIterator[Row],
    total: int,
    public: int,
    now: int,
    versions: str = "",
) -> int:
    """Writes the document; returns how many signatories are named in it.

    `total` counts every signature, `public` the rows `names` yields (known up front, so every
    page's header can show it); `versions` says which texts they confirmed. Laying out the pages is slow (about half a millisecond a name),
    so it runs in a worker thread fed with batches through a small queue: the bot keeps
    answering meanwhile, and at most a few batches of rows wait in memory.
    """
    batches: queue.Queue[list[Row] | None] = queue.Queue(maxsize=4)
    worker = asyncio.ensure_future(
        asyncio.to_thread(_build, out, campaign, t, batches, total, public, now, versions)
    )
    try:
        batch: list[Row] = []
        async for row in names:
            batch.append(row)
            if len(batch) >= _BATCH:
                if not await _put(batches, batch, worker):
                    break  # the worker failed: its error is raised below
                batch = []
        if batch:
            await _put(batches, batch, worker)
    except BaseException:
        await _put(batches, None, worker)
        with contextlib.suppress(Exception):
            await worker  # finish before the caller removes the temporary folder
        raise
    await _put(batches, None, worker)
    return await worker


async def _put(batches: queue.Queue[list[Row] | None], item: list[Row] | None, worker: Any) -> bool:
    """Hands `item` to the worker without blocking the event loop; False if it has stopped."""
    while not worker.done():
        try:
            batches.put_nowait(item)
            return True
        except queue.Full:
            await asyncio.sleep(0.005)
    return False


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _one_line(pdf: FPDF, text: str, width: float) -> str:
    """`text`, cut at a word with "…" if it does not fit on one line `width` wide."""
    text = " ".join(text.split())
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if " " in cut.strip() and not text[low : low + 1].isspace():
        cut = cut.rsplit(" ", 1)[0]  # no half words
    return cut.rstrip(" ,;:·-") + "…"


def _totals(t: Translator, total: int, public: int) -> tuple[str, str]:
    """("12 signatures", "10 public signatories · 2 more signed without a public name").

    The second is empty when nobody published a name.
    """
    count = t.ngettext("{count} signature", "{count} signatures", total).format(
        count=t.number(total)
    )
    if not public:
        return count, ""
    parts = [
        t.ngettext("{count} public signatory", "{count} public signatories", public).format(
            count=t.number(public)
        )
    ]
    others = max(0, total - public)
    if others:
        parts.append(
            t.ngettext(
                "{count} more signed without a public name",
                "{count} more signed without a public name",
                others,
            ).format(count=t.number(others))
        )
    return count, " · ".join(parts)


def _build(
    out: BinaryIO,
    campaign: Campaign,
    t: Translator,
    batches: queue.Queue[list[Row] | None],
    total: int,
    public: int,
    now: int,
    versions: str,
) -> int:
    text, _ = campaign.text_for(t.language)
    date = t.date(datetime.fromtimestamp(now, UTC).date())
    count, breakdown = _totals(t, total, public)
    # fpdf2 writes the page count where "{nb}" stands once the last page is known.
    page_label = t._("Page {page} of {pages}").replace("{pages}", "{{nb}}")
    pdf = _Document((text.title, f"{date} · {breakdown or count}"), page_label, public)
    _front_page(pdf, campaign, t, f"{date} · {count}", breakdown, versions)
    named = 0
    while (batch := batches.get()) is not None:
        for name, role, organisation in batch:
            line = list_line(name or "", role, organisation)
            if not (line and name):
                continue
            if not named:  # the list, only once there is someone to list
                _section(pdf)
                _heading(pdf, t)
            named += 1
            pdf.entry(named, line)
    anonymous = max(0, total - named)
    if named and anonymous:
        pdf.ln(3)
        pdf.paragraph(
            6,
            # Anonymous, hidden by the organisers or awaiting their check: not a public name.
            t.ngettext(
                "and {count} more who signed without a public name",
                "and {count} more who signed without a public name",
                anonymous,
            ).format(count=t.number(anonymous)),
        )
    elif not named:
        _section(pdf)
        _heading(pdf, t)
        pdf.paragraph(6, _nobody_named(t, total))
    out.write(pdf.output())  # fpdf2 holds the whole document in memory until here anyway
    return named


def _front_page(
    pdf: _Document, campaign: Campaign, t: Translator, dated: str, breakdown: str, versions: str
) -> None:
    """Title, date and totals, the addressees and the campaign's text."""
    text, _ = campaign.text_for(t.language)
    pdf.set_title(text.title)
    pdf.set_creator("petition-bot")
    pdf.add_page()
    pdf.set_font(_FONT, size=18)
    pdf.paragraph(9, text.title)
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)
    pdf.paragraph(6, dated)
    if breakdown:
        pdf.paragraph(6, breakdown)
    if versions:  # which texts the signers confirmed (bot.exports.versions)
        pdf.paragraph(6, versions)
    addressees = campaign.addressees_for(t.language)
    if addressees:
        pdf.ln(3)
        pdf.paragraph(6, t._("Addressed to:"))
        for addressee in addressees:
            pdf.paragraph(6, f"• {addressee}")
    pdf.ln(4)
    pdf.set_font(_FONT, size=11)
    for paragraph in text.for_addressees:
        pdf.paragraph(6, paragraph)
        pdf.ln(3)


def _section(pdf: _Document) -> None:
    """Under the text when the heading and a few entries fit there, else on a new page: never a
    heading alone at the foot of a page, nor a page left mostly empty."""
    pdf.ln(4)
    if pdf.y + 8 + 2 + 3 * _ENTRY > pdf.page_break_trigger:
        pdf.add_page()


def _heading(pdf: _Document, t: Translator) -> None:
    pdf.set_font(_FONT, size=14)
    pdf.paragraph(8, t._("Signatories"))
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)


def _nobody_named(t: Translator, total: int) -> str:
    if not total:
        return t._("Nobody has signed yet.")
    return t.ngettext(
        "The {count} signature carries no public name.",
        "None of the {count} signatures carries a public name.",
        total,
    ).format(count=t.number(total))
