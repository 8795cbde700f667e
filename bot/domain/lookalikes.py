"""Names that only look like other names: stacked marks, mixed scripts, confusable skeletons.

A forger who cannot list "Іvan Petrov" (a Cyrillic І) next to "Ivan Petrov" has no reason to
type it, so the checks here refuse what no real name needs (a letter under a pile of
combining marks, a word that mixes alphabets) and give every public name a skeleton (UTS #39:
each character replaced by its prototype in Unicode's confusables.txt), so that a new name that
looks like one already listed is held for an organiser. The data is Unicode's, shortened by
tools/unicode_data.py into bot/unicode_data/ (Unicode License v3), and read once, when first
needed (`unicode_tables`).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "unicode_data"
MARKS_MAX = 2  # combining marks on one letter after NFC (Vietnamese and Yoruba need two)
# Scripts that share one word in ordinary writing (Japanese, Korean, Chinese with Bopomofo).
_TOGETHER = (
    frozenset({"Han", "Hiragana", "Katakana"}),
    frozenset({"Han", "Hangul"}),
    frozenset({"Han", "Bopomofo"}),
)


@dataclass(frozen=True)
class UnicodeTables:
    """confusables.txt as a character map, and Scripts.txt as sorted ranges."""

    prototypes: dict[str, str]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    names: tuple[str, ...]

    def script(self, ch: str) -> str | None:
        """The character's script; None for Common and Inherited (digits, marks, spaces)."""
        at = bisect.bisect_right(self.starts, ord(ch)) - 1
        return self.names[at] if at >= 0 and ord(ch) <= self.ends[at] else None

    def _map(self, text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text)
        return unicodedata.normalize("NFD", "".join(self.prototypes.get(c, c) for c in decomposed))

    def skeleton(self, text: str) -> str:
        """UTS #39's skeleton, taken again after case folding, spaces collapsed: two names
        with the same skeleton look alike to a reader of the list ("0LGA" and "Olga" too)."""
        return " ".join(self._map(self._map(text).casefold()).split())


def _rows(name: str) -> list[list[str]]:
    text = (DATA / name).read_text(encoding="ascii")
    return [line.split() for line in text.splitlines() if line and not line.startswith("#")]


@cache
def unicode_tables() -> UnicodeTables:
    """Read once per process, at the first name checked (about 7,500 short lines)."""
    prototypes = {
        chr(int(src, 16)): "".join(chr(int(cp, 16)) for cp in target)
        for src, *target in _rows("confusables.txt")
    }
    ranges = _rows("scripts.txt")
    return UnicodeTables(
        prototypes,
        tuple(int(r[0], 16) for r in ranges),
        tuple(int(r[1], 16) for r in ranges),
        tuple(r[2] for r in ranges),
    )


def stacked_marks(text: str) -> bool:
    """A letter carrying more than MARKS_MAX combining marks, or one mark twice ("Zalgo"
    text that draws over its neighbours). `text` is in NFC, so precomposed letters count 0."""
    run: list[str] = []
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Me"):
            if ch in run or len(run) == MARKS_MAX:
                return True
            run.append(ch)
        else:
            run = []
    return False


def mixed_script_word(text: str, tables: UnicodeTables) -> bool:
    """A word (a run of letters and their marks) written in two scripts, such as a Latin
    name with one Cyrillic letter; scripts that share words in ordinary writing are allowed."""
    scripts: set[str] = set()
    for ch in text + " ":
        if unicodedata.category(ch)[0] not in "LM":
            if len(scripts) > 1 and not any(scripts <= allowed for allowed in _TOGETHER):
                return True
            scripts = set()
            continue
        script = tables.script(ch)
        if script is not None:
            scripts.add(script)
    return False


def public_skeleton(name: str | None, public: bool) -> str | None:
    """The skeleton stored with a signature: only a public name has one (only those are
    listed, so only those can be impersonated or be look-alikes)."""
    return unicode_tables().skeleton(name) if public and name else None
