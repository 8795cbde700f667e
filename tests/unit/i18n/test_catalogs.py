"""Catalogs: complete, not fuzzy, placeholders intact, in step with the source, right plurals."""

from __future__ import annotations

import re
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import I18n

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalog(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "bot.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _source_ids() -> set[str | tuple[str, str]]:
    keywords = {**DEFAULT_KEYWORDS, "ngettext": (1, 2), "N_": None}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=keywords
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.fixture(scope="module")
def source_ids() -> set[str | tuple[str, str]]:
    return _source_ids()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_matches_source(language: str, source_ids: set[str | tuple[str, str]]) -> None:
    catalog = _catalog(language)
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    missing = source_ids - ids
    stale = ids - source_ids
    assert not missing, (
        f"{language}: run `make update-catalogs`; missing {sorted(map(str, missing))[:5]}"
    )
    assert not stale, f"{language}: stale entries {sorted(map(str, stale))[:5]}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_complete_and_placeholders_intact(language: str) -> None:
    catalog = _catalog(language)
    nplurals = catalog.num_plurals
    for message in catalog:
        if not message.id:
            continue
        where = f"{language}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy entry {where}"
        if isinstance(message.id, str):
            assert isinstance(message.string, str) and message.string.strip(), f"empty {where}"
            assert set(PLACEHOLDER.findall(message.string)) == set(
                PLACEHOLDER.findall(message.id)
            ), f"placeholders differ {where}"
        else:
            forms = list(message.string)
            assert len(forms) == nplurals and all(f.strip() for f in forms), f"plural forms {where}"
            expected = set(PLACEHOLDER.findall(message.id[1]))
            for form in forms:
                assert set(PLACEHOLDER.findall(form)) == expected, f"placeholders differ {where}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_plural_rule_matches_cldr(language: str) -> None:
    """Same form for every count as CLDR's rule, however Babel happens to spell the expression."""
    catalog = _catalog(language)
    cldr = get_plural(language)
    assert catalog.num_plurals == cldr.num_plurals
    ours, theirs = c2py(catalog.plural_expr), c2py(cldr.plural_expr)
    differ = [n for n in range(0, 10_001) if ours(n) != theirs(n)]
    assert not differ, f"{language}: the catalog's rule picks another form for {differ[:10]}"


def test_plural_rule_comparison_can_fail() -> None:
    """The comparison above tells rules apart (here Russian's from Polish's)."""
    ru, pl = c2py(get_plural("ru").plural_expr), c2py(get_plural("pl").plural_expr)
    assert any(ru(n) != pl(n) for n in range(0, 10_001))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 signature", "2 signatures", "5 signatures", "21 signatures", "111 signatures"]),
        ("ru", ["1 подпись", "2 подписи", "5 подписей", "21 подпись", "111 подписей"]),
        ("be", ["1 подпіс", "2 подпісы", "5 подпісаў", "21 подпіс", "111 подпісаў"]),
        ("uk", ["1 підпис", "2 підписи", "5 підписів", "21 підпис", "111 підписів"]),
        ("pl", ["1 podpis", "2 podpisy", "5 podpisów", "21 podpisów", "111 podpisów"]),
    ],
)
def test_plural_forms_in_use(language: str, expected: list[str]) -> None:
    t = I18n().get(language)
    got = [
        t.ngettext("{count} signature", "{count} signatures", n).format(count=n)
        for n in (1, 2, 5, 21, 111)
    ]
    assert got == expected
