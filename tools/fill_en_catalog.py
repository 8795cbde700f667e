"""English is the source language: its catalog mirrors the msgids so copy can be edited there.

Run by `make update-catalogs`; it fills only empty English entries and never touches others.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "locales" / "en" / "LC_MESSAGES" / "bot.po"


def main() -> int:
    with PATH.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with PATH.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    print(f"en: filled {filled} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
