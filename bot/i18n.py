"""Translations (the shipped `.po` catalogs, compiled in memory at start) and locale formatting.

Every user-visible string is an English msgid; placeholders are `{name}` and are filled after
translation, so translators can move them. Compiling at start needs no build step, no `.mo` in
git and no writable folder (a hardened service cannot write into its installed package), and it
always uses the locked Babel.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar, cast

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.config import SUPPORTED_LANGUAGES

T = TypeVar("T")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "bot"
# Shown in the language menu: each language in its own name.
NATIVE_NAMES = {
    "en": "English",
    "be": "Беларуская",
    "ru": "Русский",
    "uk": "Українська",
    "pl": "Polski",
}


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


# Each language's name as it reads inside a sentence in the reader's language ("Язык:
# русский", not "Русский"); menus and buttons show NATIVE_NAMES.
LANGUAGE_NAMES = {
    "en": N_("English"),
    "be": N_("Belarusian"),
    "ru": N_("Russian"),
    "uk": N_("Ukrainian"),
    "pl": N_("Polish"),
}


class Translator:
    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._catalog = catalog
        self._numbers: dict[int, str] = {}
        self._kept: dict[Hashable, object] = {}

    def _(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def language_name(self, code: str) -> str:
        """A language's name in this translator's language, as inside a sentence."""
        name = LANGUAGE_NAMES.get(code)
        return self._(name) if name else code

    def number(self, n: int) -> str:
        """Babel's formatting is slow next to the rest of a reply; counts repeat, so cache them."""
        text = self._numbers.get(n)
        if text is None:
            if len(self._numbers) > 10_000:
                self._numbers.clear()
            text = self._numbers[n] = format_decimal(n, locale=self.locale)
        return text

    def kept(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value made once in this language for `key` (keyboards: bot.telegram.views), which
        must name everything the value depends on and nothing of a person."""
        value = self._kept.get(key)
        if value is None:
            if len(self._kept) > 10_000:  # campaigns' versions come and go
                self._kept.clear()
            value = self._kept[key] = make()
        return cast(T, value)

    def date(self, value: int | date) -> str:
        if isinstance(value, int):
            value = datetime.fromtimestamp(value, UTC).date()
        return format_date(value, format="long", locale=self.locale)

    def datetime(self, ts: int) -> str:
        """The long date and a short time: "medium" abbreviates months ("сне") in be."""
        when = datetime.fromtimestamp(ts, UTC)
        clock = format_time(when, format="short", tzinfo=UTC, locale=self.locale)
        return f"{self.date(when.date())}, {clock} UTC"


class CatalogError(Exception):
    """A shipped catalog is missing or unreadable: the bot must not silently speak English."""


def compile_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> gettext.GNUTranslations:
    """Reads `<language>/LC_MESSAGES/bot.po` and compiles it to a catalog in memory."""
    path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language, domain=DOMAIN)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"translation catalog {path} cannot be read: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class I18n:
    """Loads each language's catalog once; unknown languages get the default one."""

    def __init__(self, default_language: str = "en", locales_dir: Path = LOCALES_DIR) -> None:
        self.default_language = default_language
        self._translators: dict[str, Translator] = {}
        for language in SUPPORTED_LANGUAGES:
            self._translators[language] = Translator(
                language, compile_catalog(language, locales_dir)
            )

    def get(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[self.default_language])

    def resolve(self, stored: str | None, telegram_code: str | None) -> str:
        """Stored choice, else Telegram's language_code, else the default language."""
        if stored in self._translators:
            return stored
        if telegram_code:
            base = telegram_code.replace("_", "-").split("-")[0].lower()
            if base in self._translators:
                return base
        return self.default_language

    def languages(self) -> tuple[str, ...]:
        return SUPPORTED_LANGUAGES
