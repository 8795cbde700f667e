"""Cleaning and validating what signers type, and the group titles Telegram sends.

Names end up in exports handed to governments and in public signatory lists, so they are
normalised (NFKC), stripped of invisible and direction-changing characters, and checked.
Source labels (a group's title, a named link's name) reach the same exports and get the
same cleaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

NAME_MIN, NAME_MAX = 2, 80
FIELD_MAX = 120
LABEL_MAX = 64  # a source's label: a group title (Telegram allows 128) or a link's name
# Anything typed is cut here before any work, so a huge message cannot cost much.
_HARD_CAP = 2000

_LINK = re.compile(
    r"(://|\bwww\.|\bt\.me/|\btelegram\.(me|dog)\b|"
    r"\b[\w-]+\.(com|net|org|ru|by|ua|pl|eu|io|me|info|xyz|app|site|link|online|top|biz)\b)",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(^|\s)@\w{3,}")
_SPACES = re.compile(r"\s+")
# Letters and symbols that render as nothing: Hangul fillers, the Braille blank, Khmer
# inherent vowels. Unicode calls most of them letters, so a name of them would pass.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e\u2062\u2063\u2064")


class Problem(Enum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_LETTER = "no_letter"
    LINK = "link"
    MENTION = "mention"


@dataclass(frozen=True)
class Checked:
    value: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def clean(raw: str) -> str:
    """NFKC, drop control/format characters (bidi overrides, zero-width), collapse spaces."""
    text = unicodedata.normalize("NFKC", raw[:_HARD_CAP])
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r" or ch in _BLANKS:
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue
        else:
            kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


def clean_label(raw: str) -> str:
    """A source's label as stored: `clean`, then cut to LABEL_MAX."""
    return clean(raw)[:LABEL_MAX].rstrip()


def _common(value: str, max_len: int) -> Problem | None:
    if len(value) > max_len:
        return Problem.TOO_LONG
    if _LINK.search(value):
        return Problem.LINK
    if _MENTION.search(value):
        return Problem.MENTION
    return None


def check_name(raw: str) -> Checked:
    value = clean(raw)
    if not value:
        return Checked(value, Problem.EMPTY)
    if len(value) < NAME_MIN:
        return Checked(value, Problem.TOO_SHORT)
    problem = _common(value, NAME_MAX)
    if problem:
        return Checked(value, problem)
    if not any(unicodedata.category(ch).startswith("L") for ch in value):
        return Checked(value, Problem.NO_LETTER)
    return Checked(value)


def check_optional(raw: str) -> Checked:
    """Role and organisation: optional, up to 120 characters, same cleaning."""
    value = clean(raw)
    if not value:
        return Checked(value, Problem.EMPTY)
    return Checked(value, _common(value, FIELD_MAX))
