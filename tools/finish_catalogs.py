"""The last step of `make update-catalogs`: English filled in, every catalog's header filled.

English is the source language: its catalog mirrors the msgids, so copy can be edited there
without touching the code. An empty English entry, or one left fuzzy because its msgid
changed, takes the msgid; an entry already reviewed is never touched. The headers name the
project, its version (pyproject.toml's) and the language, where pybabel leaves placeholders.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
HOLDER = "Petition bot contributors"


def fill_english(catalog: Catalog) -> int:
    """Mirror msgids into empty or fuzzy English entries; returns how many were filled."""
    filled = 0
    for message in catalog:
        # A new plural entry's string is ("", ""): a tuple, truthy though empty.
        done = any(message.string) if isinstance(message.id, tuple) else message.string
        if not message.id or (done and not message.fuzzy):
            continue
        if isinstance(message.id, tuple):
            message.string = (message.id[0], message.id[1])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
        filled += 1
    return filled


def fill_header(catalog: Catalog, language: str, version: str) -> None:
    name = Locale.parse(language).english_name
    catalog.project, catalog.version = "petition-bot", version
    catalog.copyright_holder = HOLDER
    catalog.msgid_bugs_address = ""  # reports go to the issue tracker (CONTRIBUTING.md)
    catalog.language_team = f"{name} (petition-bot translators)"
    if not catalog.last_translator or "EMAIL@ADDRESS" in catalog.last_translator:
        catalog.last_translator = HOLDER
    catalog.header_comment = (
        f"# {name} translations for petition-bot.\n"
        f"# Copyright (C) 2026 {HOLDER}\n"
        "# This file is distributed under the same license as the petition-bot project.\n"
        "#"
    )


def main() -> int:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for path in sorted(LOCALES.glob("*/LC_MESSAGES/bot.po")):
        language = path.parent.parent.name
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        fill_header(catalog, language, version)
        if language == "en":
            print(f"en: filled {fill_english(catalog)} entries")
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
