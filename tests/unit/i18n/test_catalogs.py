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
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalog(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "bot.po").open("rb") as fh:
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
    problems = [f"{language}: not in the catalog: {_shown(i)}" for i in _sorted(source_ids - ids)]
    problems += [
        f"{language}: no longer in the code: {_shown(i)}" for i in _sorted(ids - source_ids)
    ]
    assert not problems, "run `make update-catalogs`:\n" + "\n".join(problems)


def _sorted(ids: set[str | tuple[str, str]]) -> list[str | tuple[str, str]]:
    return sorted(ids, key=str)


def _shown(msgid: str | tuple[str, ...] | list[str]) -> str:
    """A msgid as a translator finds it in the .po file: the singular of a plural."""
    return repr(msgid if isinstance(msgid, str) else msgid[0])


def catalog_problems(language: str) -> list[str]:
    """One line per entry a translator must still look at: empty, fuzzy, or placeholders
    that differ from the English."""
    catalog = _catalog(language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        where = f"{language}: {_shown(message.id)}"
        if isinstance(message.id, str):
            forms = [message.string] if isinstance(message.string, str) else []
            expected = set(PLACEHOLDER.findall(message.id))
            complete = len(forms) == 1
        else:
            forms = list(message.string)
            expected = set(PLACEHOLDER.findall(message.id[1]))
            complete = len(forms) == catalog.num_plurals
        if not complete or not all(form.strip() for form in forms):
            problems.append(f"{where}: not translated")
        elif message.fuzzy:
            problems.append(f"{where}: fuzzy (check the translation, then remove the flag)")
        elif any(set(PLACEHOLDER.findall(form)) != expected for form in forms):
            problems.append(f"{where}: placeholders differ from the English")
    return problems


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_complete_and_placeholders_intact(language: str) -> None:
    problems = catalog_problems(language)
    assert not problems, f"{language}: to translate ({len(problems)}):\n" + "\n".join(problems)


def test_each_entry_to_translate_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message above names every entry, with its language, not only the first."""
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "bot.po").write_text(
        '#, fuzzy\nmsgid "Changed"\nmsgstr "Old"\n\nmsgid "New"\nmsgstr ""\n\n'
        'msgid "{n} done"\nmsgstr "{count} fait"\n\nmsgid "Fine"\nmsgstr "Bien"\n'
    )
    monkeypatch.setattr(f"{__name__}.LOCALES", tmp_path)
    assert catalog_problems("de") == [
        "de: 'Changed': fuzzy (check the translation, then remove the flag)",
        "de: 'New': not translated",
        "de: '{n} done': placeholders differ from the English",
    ]


# What pybabel writes when nobody filled the header in.
TEMPLATE_WORDS = (
    "PROJECT",
    "VERSION",
    "ORGANIZATION",
    "FIRST AUTHOR",
    "EMAIL@ADDRESS",
    "LL@li.org",
)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_header_is_filled(language: str) -> None:
    text = (LOCALES / language / "LC_MESSAGES" / "bot.po").read_text()
    header = text[: text.index("\n\n")]
    assert not [word for word in TEMPLATE_WORDS if word in header], header
    assert f'"Language: {language}\\n"' in header
    assert '"Project-Id-Version: petition-bot ' in header
    assert '"Plural-Forms: ' in header


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
