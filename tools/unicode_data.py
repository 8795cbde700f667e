"""Makes bot/unicode_data/ from Unicode's confusables.txt and Scripts.txt (UTS #39, UAX #24).

Run by hand when Unicode publishes a new version:
    python tools/unicode_data.py path/to/confusables.txt path/to/Scripts.txt
It keeps only what the name checks use, as short text lines the bot reads once:
- confusables: `source target…` in hex, one mapping per line;
- scripts: `first last Script` in hex, adjacent ranges of one script merged, Common and
  Inherited left out (they never make a word mixed).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bot" / "unicode_data"
_VERSION = re.compile(r"^#\s*(?:Version:\s*|Scripts-)([\d.]+?)(?:\.txt)?\s*$")


def _version(text: str) -> str:
    for line in text.splitlines()[:12]:
        found = _VERSION.match(line)
        if found:
            return found.group(1)
    raise SystemExit("no version line")


def confusables(source: Path) -> None:
    text = source.read_text(encoding="utf-8-sig")
    lines = [f"# confusables.txt {_version(text)} (Unicode, Inc.; see LICENSE): source target"]
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        src, target, _kind = (part.strip() for part in data.split(";"))
        lines.append(f"{src.lower()} {target.lower()}")
    (OUT / "confusables.txt").write_text("\n".join(lines) + "\n", encoding="ascii")


def scripts(source: Path) -> None:
    text = source.read_text(encoding="utf-8-sig")
    ranges: list[tuple[int, int, str]] = []
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        span, script = (part.strip() for part in data.split(";"))
        if script in ("Common", "Inherited"):
            continue
        first, _, last = span.partition("..")
        ranges.append((int(first, 16), int(last or first, 16), script))
    ranges.sort()
    merged: list[tuple[int, int, str]] = []
    for first, last, script in ranges:
        if merged and merged[-1][2] == script and merged[-1][1] + 1 == first:
            merged[-1] = (merged[-1][0], last, script)
        else:
            merged.append((first, last, script))
    lines = [f"# Scripts.txt {_version(text)} (Unicode, Inc.; see LICENSE): first last script"]
    lines += [f"{first:x} {last:x} {script}" for first, last, script in merged]
    (OUT / "scripts.txt").write_text("\n".join(lines) + "\n", encoding="ascii")


if __name__ == "__main__":
    confusables(Path(sys.argv[1]))
    scripts(Path(sys.argv[2]))
