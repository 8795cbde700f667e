"""The published site rendered from data: hostile text escaped, names isolated, the counter's
schema, and nothing that a browser would fetch from elsewhere."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from bot.domain.campaigns import Campaign, CampaignText
from bot.domain.goals import Progress
from bot.domain.signatories import Entry
from bot.i18n import I18n, Translator
from bot.site import CampaignFacts, Names, SiteFacts, build
from bot.site import content as site_content
from bot.site.pages import NAMES_PER_PAGE

HOSTILE = "</title><script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n()


def _campaign(title: str = "Free them", **kw: object) -> Campaign:
    texts = {
        "en": CampaignText("en", title, "A summary.", ("First paragraph.", HOSTILE)),
        "ru": CampaignText("ru", "Освободите их", "Кратко.", ("Текст.",)),
    }
    return Campaign(
        slug="free",
        kind="petition",
        is_open=True,
        default_language="en",
        started=None,
        goals=(),
        addressees=("Parliament",),
        texts=texts,
        **kw,  # type: ignore[arg-type]
    )


def _site(campaign: Campaign, names: Names | None, count: int = 1234) -> SiteFacts:
    facts = CampaignFacts(campaign, Progress(count, 7, 2500), ((True, False), (False, True)), names)
    return SiteFacts(
        (facts,), ("real_petition_bot",), datetime(2026, 12, 4, 18, 0, tzinfo=UTC), "", "en"
    )


def every_language(i18n: I18n) -> dict[str, Translator]:
    return {language: i18n.get(language) for language in i18n.languages()}


def _text(files: dict[str, bytes]) -> dict[str, str]:
    return {path: data.decode() for path, data in files.items()}


class Tags(HTMLParser):
    """Every element and attribute a browser would build from a page."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_hostile_text_is_escaped_everywhere(i18n: I18n) -> None:
    names = Names((Entry(1, 9, HOSTILE, "\u202eevil", "Org"),), 3)
    files = _text(build(_site(_campaign(HOSTILE), names), every_language(i18n)))
    for path, content in files.items():
        tags = Tags(content).tags
        assert not [t for t, _ in tags if t in ("script", "img", "iframe")], path
        assert not [a for _, attrs in tags for a in attrs if a.startswith("on")], path
        assert "\u202e" not in content, path  # an override would reverse what follows it
    page = files["free/index.en.html"]
    assert "&lt;/title&gt;&lt;script&gt;" in page
    listed = files["free/names.en.1.html"]
    assert "<bdi>&lt;/title&gt;" in listed and "<bdi>evil</bdi>" in listed


def test_every_page_loads_nothing_from_anywhere(i18n: I18n) -> None:
    """No src, no stylesheet link, no url(): the pages draw everything inline, and their CSP
    refuses any request but data: images."""
    files = _text(build(_site(_campaign(), Names((), 0)), every_language(i18n)))
    for path, content in files.items():
        if not path.endswith(".html"):
            continue
        assert not re.search(r"<(script|img|link rel=\"stylesheet\"|iframe)\b", content), path
        assert "url(" not in content and "@import" not in content, path
        assert "default-src 'none'" in content, path
        assert len(content.encode()) < 100 * 1024, path


def test_the_list_pages_are_noindex_paged_and_count_the_unnamed(i18n: I18n) -> None:
    entries = tuple(Entry(i, i, f"Name {i}", None, None) for i in range(1, NAMES_PER_PAGE + 3))
    files = _text(build(_site(_campaign(), Names(entries, 40)), every_language(i18n)))
    first, second = files["free/names.en.1.html"], files["free/names.en.2.html"]
    assert 'name="robots" content="noindex' in first and 'name="robots" content="noindex' in second
    assert "noindex" not in files["free/index.en.html"]
    assert f"Names 1–{NAMES_PER_PAGE} of {NAMES_PER_PAGE + 2}" in first
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert "and 40 more counted without a name here" in second
    assert f'<ol class="names" start="{NAMES_PER_PAGE + 1}">' in second


def test_no_list_without_the_campaigns_switch(i18n: I18n) -> None:
    files = _text(build(_site(_campaign(), None), every_language(i18n)))
    assert not any("names." in p for p in files)
    assert "Who signed" not in files["free/index.en.html"]


def test_count_json_follows_its_schema(i18n: I18n) -> None:
    files = build(_site(_campaign(), None), every_language(i18n))
    data = json.loads(files["free/count.json"])
    assert data == {
        "version": 1,
        "campaign": "free",
        "open": True,
        "count": 1234,
        "goal": 2500,
        "last_24_hours": 7,
        "published_at": "2026-12-04T18:00:00Z",
    }


def test_languages_and_their_alternates(i18n: I18n) -> None:
    files = _text(build(_site(_campaign(), None), every_language(i18n)))
    page = files["free/index.ru.html"]
    assert '<html lang="ru"' in page and "Освободите их" in page
    assert 'hreflang="en" href="index.en.html"' in page
    assert "free/index.pl.html" not in files  # no Polish text: no Polish page
    assert 'href="free/index.en.html"' in files["index.pl.html"]  # the index links the default
    assert files["index.html"] == files["index.en.html"]
    badge = files["free/badge.ru.svg"]
    assert "<script" not in badge and "1\xa0234" in badge


def test_check_reports_what_a_page_would_drop() -> None:
    bad = _campaign("Title\x07 with a bell")
    [line] = site_content.problems(bad)
    assert "free/en.md: title" in line and "U+0007" in line
    assert site_content.problems(_campaign()) == []
    [note] = site_content.notes(_campaign(), ("en", "ru", "pl"))
    assert "no text in pl" in note


def test_a_closed_campaign_shows_its_final_count_and_no_sign_link(i18n: I18n) -> None:
    closed = replace(_campaign(), is_open=False)
    files = _text(build(_site(closed, None), every_language(i18n)))
    for path in ("free/index.en.html", "free/embed.en.html"):
        assert "Signing is closed. Final count: 1,234 signatures." in files[path], path
        assert "t.me/" not in files[path] and "next goal" not in files[path], path
    assert json.loads(files["free/count.json"])["goal"] is None
