"""The PDF to hand to decision makers: title, full text, date, count and the public signatories.

fpdf2 embeds (a subset of) the shipped DejaVu Sans, so Cyrillic renders on any machine.
Anonymous signatures are counted, never named.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from bot.domain.campaigns import Campaign
from bot.exports import FONT_PATH
from bot.exports.tabular import list_line
from bot.i18n import Translator
from bot.storage.db import Row

_FONT = "DejaVu"
_BATCH = 500


class _Document(FPDF):
    def __init__(self, page_label: str) -> None:
        super().__init__(format="A4")
        self._page_label = page_label
        self.shaping = False  # HarfBuzz shaping, on only for right-to-left lines

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, size=8)
        self.cell(0, 6, self._page_label.format(page=self.page_no()), align="C")


async def write_pdf(
    path: Path,
    campaign: Campaign,
    t: Translator,
    names: AsyncIterator[Row],
    total: int,
    now: int,
) -> int:
    """Writes the document; returns how many signatories are named in it.

    Laying out the pages is slow (about half a millisecond a name), so it runs in a worker
    thread fed with batches through a small queue: the bot keeps answering meanwhile, and at
    most a few batches of rows wait in memory.
    """
    batches: queue.Queue[list[Row] | None] = queue.Queue(maxsize=4)
    worker = asyncio.ensure_future(
        asyncio.to_thread(_build, path, campaign, t, batches, total, now)
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


def _line(pdf: _Document, height: float, text: str) -> None:
    """One paragraph; lines with right-to-left script go through HarfBuzz shaping.

    Without shaping, Arabic or Hebrew names come out in reversed, unjoined letters. Shaping
    every line would make a long signatory list several times slower, so it is switched on
    only where it matters.
    """
    shaped = _right_to_left(text)
    if shaped != pdf.shaping:
        pdf.set_text_shaping(shaped)
        pdf.shaping = shaped
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _build(
    path: Path,
    campaign: Campaign,
    t: Translator,
    batches: queue.Queue[list[Row] | None],
    total: int,
    now: int,
) -> int:
    text, _ = campaign.text_for(t.language)
    pdf = _Document(t._("Page {page}"))
    pdf.set_title(text.title)
    pdf.set_creator("petition-bot")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(_FONT, "", str(FONT_PATH))
    pdf.add_page()
    pdf.set_font(_FONT, size=18)
    _line(pdf, 9, text.title)
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)
    date = t.date(datetime.fromtimestamp(now, UTC).date())
    count = t.ngettext("{count} signature", "{count} signatures", total).format(
        count=t.number(total)
    )
    _line(pdf, 6, f"{date} · {count}")
    addressees = campaign.addressees_for(t.language)
    if addressees:
        pdf.ln(3)
        _line(pdf, 6, t._("Addressed to:"))
        for addressee in addressees:
            _line(pdf, 6, f"• {addressee}")
    pdf.ln(4)
    pdf.set_font(_FONT, size=11)
    for paragraph in text.paragraphs:
        _line(pdf, 6, paragraph)
        pdf.ln(3)
    pdf.add_page()
    pdf.set_font(_FONT, size=14)
    _line(pdf, 8, t._("Signatories"))
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)
    named = 0
    while (batch := batches.get()) is not None:
        for name, role, organisation in batch:
            line = list_line(name or "", role, organisation)
            if line and name:
                named += 1
                _line(pdf, 5.5, f"{named}. {line}")
    anonymous = max(0, total - named)
    if anonymous:
        pdf.ln(3)
        _line(
            pdf,
            6,
            t.ngettext(
                "and {count} person who signed without publishing their name",
                "and {count} people who signed without publishing their names",
                anonymous,
            ).format(count=t.number(anonymous)),
        )
    pdf.output(str(path))
    return named
