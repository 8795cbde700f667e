"""The columns of the CSV and JSON exports, defined once: the query, the header and both writers
read them from here.

Kept free of storage imports, so the storage layer can build its SELECT from the same list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.signatories import Review

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A leading quote stops spreadsheets from running cells as formulas (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def iso_utc(ts: int) -> str:
    """2026-09-15T12:00:00Z; strftime on a struct is twice as fast as datetime here."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _text(value: Any) -> str:
    return value or ""


def _cell(value: Any) -> str:
    """Text anyone could type (names, group titles): neutralised for spreadsheets.

    `neutralise` inlined: this runs for millions of cells in a large export.
    """
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _hidden_or_blank(value: Any) -> str:
    """A campaign without review: only a name hidden with /hide is worth saying."""
    return Review.HIDDEN.value if value == Review.HIDDEN.value else ""


def _timestamp(value: Any) -> str:
    return iso_utc(int(value))


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header and the JSON key
    sql: str  # read from `signatures s`
    csv: Callable[[Any], Any] | None  # None: the value as read
    json: Callable[[Any], Any] | None


# The first column is the signature number: exports are read in its order, page by page.
COLUMNS = (
    Column("number", "s.number", None, None),
    Column("name", "s.name", _cell, _text),
    Column("role", "s.role", _cell, _text),
    Column("organisation", "s.organisation", _cell, _text),
    Column("public", "s.public", _yes_no, bool),
    # The organisers' review of a public name: waiting, approved or hidden (a hidden name is in
    # neither the list of signatories nor the documents; see bot.domain.signatories).
    Column("review", "s.review", _text, _text),
    Column("language", "s.language", _text, _text),
    Column("signed_at", "s.signed_at", _timestamp, _timestamp),
    # The text its signer confirmed (bot.domain.versions); empty: signed before versions.
    Column("version", "s.version", _text, _text),
)
HEADER = tuple(column.name for column in COLUMNS)
# The same columns for a campaign whose names are not reviewed: its review column is blank but
# for hidden names, rather than "waiting" on every row for a review nobody will make.
UNREVIEWED_COLUMNS = tuple(
    replace(c, csv=_hidden_or_blank, json=_hidden_or_blank) if c.name == "review" else c
    for c in COLUMNS
)
