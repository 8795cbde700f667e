"""CSV, JSON and plain-list exports, written row by row from a database stream to a file.

Memory stays flat whatever the number of signatures: rows arrive in batches from
`Database.stream` and go straight to the file.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.storage.admin import EXPORT_COLUMNS
from bot.storage.db import Row

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A leading quote stops spreadsheets from running cells as formulas (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def iso_utc(ts: int) -> str:
    """2026-09-15T12:00:00Z; strftime on a struct is twice as fast as datetime here."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def record(row: Row) -> dict[str, Any]:
    number, name, role, organisation, public, language, source, signed_at = row
    return {
        "number": int(number),
        "name": name or "",
        "role": role or "",
        "organisation": organisation or "",
        "public": bool(public),
        "language": language or "",
        "source": source or "",
        "signed_at": iso_utc(int(signed_at)),
    }


def csv_row(row: Row) -> tuple[Any, ...]:
    number, name, role, organisation, public, language, source, signed_at = row
    return (
        number,
        neutralise(name or ""),
        neutralise(role or ""),
        neutralise(organisation or ""),
        "yes" if public else "no",
        language or "",
        neutralise(source or ""),  # source labels come from group titles: untrusted too
        iso_utc(int(signed_at)),
    )


async def write_csv(batches: AsyncIterator[list[Row]], path: Path) -> int:
    """UTF-8 with a BOM (so spreadsheet programs detect the encoding); returns the row count.

    Whole batches go to `writerows`: at a million rows, per-row overhead is what counts.
    """
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        async for batch in batches:
            writer.writerows(map(csv_row, batch))
            count += len(batch)
    return count


async def write_json(rows: AsyncIterator[Row], path: Path, campaign: str, now: int) -> int:
    """{"campaign", "exported_at", "signatures": [...]}, written one record at a time."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        head = json.dumps({"campaign": campaign, "exported_at": iso_utc(now)}, ensure_ascii=False)
        fh.write(head[:-1] + ', "signatures": [')
        async for row in rows:
            fh.write(
                ("\n  " if count == 0 else ",\n  ") + json.dumps(record(row), ensure_ascii=False)
            )
            count += 1
        fh.write("\n]}\n")
    return count


def list_line(name: str, role: str | None, organisation: str | None) -> str:
    parts = (" ".join(p.split()) for p in (name, role or "", organisation or ""))
    return ", ".join(p for p in parts if p)


async def write_list(rows: AsyncIterator[Row], path: Path) -> int:
    """ "Name, role, organisation" per line: public signatures with a name only."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        async for name, role, organisation in rows:
            line = list_line(name or "", role, organisation)
            if line and name:
                fh.write(line + "\n")
                count += 1
    return count
