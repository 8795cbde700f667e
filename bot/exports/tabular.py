"""CSV, JSON and plain-list exports, written row by row from a database stream to a file.

Memory stays flat whatever the number of signatures: rows arrive in batches from
`Database.stream` and go straight to the stream (a spool: bot.exports.spool).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, BinaryIO, TextIO

from bot.domain.aggregates import Below, Shown
from bot.domain.columns import COLUMNS, HEADER, UNREVIEWED_COLUMNS, Column, iso_utc, neutralise
from bot.storage.engine import Row


def _columns(reviewed: bool) -> tuple[Column, ...]:
    """The columns as a campaign's review makes them (bot.domain.columns)."""
    return COLUMNS if reviewed else UNREVIEWED_COLUMNS


@contextlib.contextmanager
def _text(out: BinaryIO, encoding: str = "utf-8") -> Iterator[TextIO]:
    """`out` as text; flushed and handed back open on exit (the caller owns it)."""
    text = io.TextIOWrapper(out, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach()


def record(row: Row, reviewed: bool = True) -> dict[str, Any]:
    """One signature as a JSON object, keyed by column name."""
    return {
        column.name: value if column.json is None else column.json(value)
        for column, value in zip(_columns(reviewed), row, strict=True)
    }


def csv_rows(batch: list[Row], reviewed: bool = True) -> Iterator[tuple[Any, ...]]:
    """The batch's CSV rows, rendered a column at a time: `map` over each column costs less
    than a Python loop over every row, which counts at a million rows."""
    if not batch:
        return iter(())
    columns = zip(*batch, strict=True)
    return zip(
        *(
            values if column.csv is None else map(column.csv, values)
            for column, values in zip(_columns(reviewed), columns, strict=True)
        ),
        strict=True,
    )


async def write_csv(batches: AsyncIterator[list[Row]], out: BinaryIO, reviewed: bool = True) -> int:
    """UTF-8 with a BOM (so spreadsheet programs detect the encoding); returns the row count.

    Whole batches go to `writerows`: at a million rows, per-row overhead is what counts.
    """
    count = 0
    with _text(out, "utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        async for batch in batches:
            writer.writerows(csv_rows(batch, reviewed))
            count += len(batch)
    return count


async def write_json(
    batches: AsyncIterator[list[Row]], out: BinaryIO, campaign: str, now: int, reviewed: bool = True
) -> int:
    """{"campaign", "exported_at", "signatures": [...]}, written one record at a time."""
    count = 0
    with _text(out) as fh:
        head = json.dumps({"campaign": campaign, "exported_at": iso_utc(now)}, ensure_ascii=False)
        fh.write(head[:-1] + ', "signatures": [')
        async for batch in batches:
            for row in batch:
                separator = "\n  " if count == 0 else ",\n  "
                fh.write(separator + json.dumps(record(row, reviewed), ensure_ascii=False))
                count += 1
        fh.write("\n]}\n")
    return count


def list_line(name: str, role: str | None, organisation: str | None) -> str:
    parts = (" ".join(p.split()) for p in (name, role or "", organisation or ""))
    return ", ".join(p for p in parts if p)


async def write_list(rows: AsyncIterator[Row], out: BinaryIO) -> int:
    """ "Name, role, organisation" per line: public signatures with a name only."""
    count = 0
    with _text(out) as fh:
        async for name, role, organisation in rows:
            line = list_line(name or "", role, organisation)
            if line and name:
                fh.write(line + "\n")
                count += 1
    return count


FUNNEL_HEADER = (
    "day_utc", "row", "source", "opened", "started", "named", "signed", "cancelled", "expired"
)  # fmt: skip


def figure(value: Shown) -> str:
    """A count as bot.domain.aggregates lets it be shown: exact, or "<10"."""
    return f"<{value.threshold}" if isinstance(value, Below) else str(value)


def write_funnel(rows: list[tuple[int, str | None, tuple[Shown, ...]]], out: BinaryIO) -> int:
    """The funnel's daily counts as CSV: per day, each source shown on its own, then the
    "other" row (label None: every source under the threshold and the visitors without a
    link)."""
    with _text(out, "utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(FUNNEL_HEADER)
        for day, label, counts in rows:
            kind, name = ("other", "") if label is None else ("source", neutralise(label))
            writer.writerow((iso_utc(day * 86_400)[:10], kind, name, *map(figure, counts)))
    return len(rows)
