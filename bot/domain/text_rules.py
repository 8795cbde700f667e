"""Cleaning and validating what signers type, and the group titles Telegram sends.

Names end up in exports handed to governments and in public signatory lists, so they are
stored as typed, in canonical composition (NFC: "№", "ﬁ" and "²" stay what people wrote;
only full-width Latin letters and digits become ordinary ones), stripped of invisible and
direction-changing characters, and checked; links and mentions are looked for in the
compatibility form (NFKC) too, so "ｔ.ｍｅ/…" or "𝐭.me/…" do not slip through. Names are also
refused for stacked combining marks and words that mix scripts (bot.domain.lookalikes).
Source labels (a group's title, a named link's name) reach the same exports and get the
same cleaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.domain.lookalikes import mixed_script_word, stacked_marks, unicode_tables

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
# Full-width ASCII (U+FF01-FF5E) is the one compatibility folding kept: it is the same
# letter at another width, and the look-alike and link checks need it.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


class Problem(Enum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_LETTER = "no_letter"
    LINK = "link"
    MENTION = "mention"
    STACKED_MARKS = "stacked_marks"  # a letter under a pile of combining marks
    MIXED_SCRIPTS = "mixed_scripts"  # a word mixing alphabets, such as a Cyrillic "а" in Latin


@dataclass(frozen=True)
class Checked:
    value: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def clean(raw: str) -> str:
    """NFC, full-width ASCII made ordinary, control and format characters (bidi overrides,
    zero-width) dropped, spaces collapsed: what the person typed, minus what cannot be seen."""
    text = unicodedata.normalize("NFC", raw[:_HARD_CAP].translate(_FULL_WIDTH))
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
    folded = unicodedata.normalize("NFKC", value)
    if _LINK.search(value) or _LINK.search(folded):
        return Problem.LINK
    if _MENTION.search(value) or _MENTION.search(folded):
        return Problem.MENTION
    if stacked_marks(value):
        return Problem.STACKED_MARKS
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
    if mixed_script_word(value, unicode_tables()):
        return Checked(value, Problem.MIXED_SCRIPTS)
    return Checked(value)


def check_optional(raw: str) -> Checked:
    """Role and organisation: optional, up to 120 characters, same cleaning."""
    value = clean(raw)
    if not value:
        return Checked(value, Problem.EMPTY)
    return Checked(value, _common(value, FIELD_MAX))
