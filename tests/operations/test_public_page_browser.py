"""The published site in a real browser (Debian's Chromium, headless): every page type drawn
on a small phone's screen, no console error, no request outside the site's folder (as the
browser recorded them), the count the database holds, and the counter and badge inside a page
of another origin. Screenshots go to $PUBLIC_PAGE_SHOTS when set (to be looked at)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.storage import signatures as signature_store
from bot.telegram.jobs import run_publish
from tests.conftest import ROOT, TOKEN, Clock, start_app, stop_app
from tests.support.browser import CHROMIUM, Browser
from tests.support.faketg import FakeTelegram
from tests.support.steps import CAMPAIGN, configure, sign, without_review

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not found (Debian's package)")

NAMES = ("Ann Webconsent", "Борис Вебсогласие", "نور الهدى")  # one right-to-left


async def _publish(root: Path) -> int:
    """Signs three public names under a campaign that lists on the web, one hidden one, and
    publishes; the database's count."""
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(root / "data" / "bot.sqlite3"),
            "CAMPAIGNS_DIR": str(root / "campaigns"),
            "SIGNER_KEY": "5e" * 32,
            "BOT_API_BASE_URL": "http://fake.invalid/bot",
            "PSEUDONYM_COST": "insecure-test-only",
        },
        dotenv=False,
    )
    tg = FakeTelegram()
    app = await start_app(settings, tg, Clock())
    try:
        svc = app.runtime.services
        without_review(svc)
        configure(svc, web_signatories=True)
        for i, name in enumerate(NAMES):
            await sign(tg.user(app, first_name=f"S{i}"), name, role="Nurse" if i else None)
        await sign(tg.user(app, first_name="H"), "Hidden Person", public=False)
        svc.settings = replace(svc.settings, publish_dir=root / "site")
        assert await run_publish(app.runtime)
        return await signature_store.count(svc.db, CAMPAIGN)
    finally:
        await stop_app(app)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("public")
    count = asyncio.run(_publish(root))
    return root / "site", count


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("PUBLIC_PAGE_SHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on a port of its own: a local origin."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


PAGES = {
    "index": "index.html",
    "campaign": f"{CAMPAIGN}/index.en.html",
    "campaign-ru": f"{CAMPAIGN}/index.ru.html",
    "names": f"{CAMPAIGN}/names.en.1.html",
    "embed": f"{CAMPAIGN}/embed.en.html",
    "badge": f"{CAMPAIGN}/badge.en.svg",
}


def test_every_page_type_loads_nothing_from_outside_its_folder(
    browser: Browser, site: tuple[Path, int], shots: Path
) -> None:
    folder, count = site
    for kind, path in PAGES.items():
        tab = browser.page()
        try:
            url = (folder / path).as_uri()
            tab.open(url)
            outside = [u for u in tab.requests() if not u.startswith(folder.as_uri() + "/")]
            assert outside == [], (kind, outside)
            assert tab.errors() == [], (kind, tab.errors())
            tab.screenshot(str(shots / f"{kind}.png"))
            if kind in ("campaign", "embed"):
                shown = tab.evaluate("document.querySelector('.count').textContent")
                assert shown == f"{count} signatures", shown
            if kind == "names":
                names = tab.evaluate(
                    "[...document.querySelectorAll('ol.names li bdi:first-child')]"
                    ".map(b => b.textContent)"
                )
                assert names == list(NAMES), names
            # Readable on a small phone: nothing wider than its screen.
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert kind == "badge" or width <= 360, (kind, width)
        finally:
            tab.close()


def test_the_campaign_page_prints(browser: Browser, site: tuple[Path, int], shots: Path) -> None:
    folder, _ = site
    tab = browser.page(width=800, height=1100)
    try:
        tab.open((folder / PAGES["campaign"]).as_uri())
        tab.screenshot(str(shots / "campaign-print.png"), media="print")
        assert tab.pdf().startswith(b"%PDF")
        assert tab.errors() == []
    finally:
        tab.close()


def test_the_counter_and_the_badge_show_on_a_page_of_another_origin(
    browser: Browser, site: tuple[Path, int], shots: Path, tmp_path: Path
) -> None:
    folder, count = site
    with _served(folder) as ours, _served(tmp_path) as theirs:
        # The two snippets exactly as the campaign page offers them to copy, with the address
        # where the site is served put in front of their paths, as its hint says.
        page = (folder / PAGES["campaign"]).read_text()
        snippets = [html.unescape(t) for t in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page)]
        assert len(snippets) == 2 and "<iframe" in snippets[0] and "<img" in snippets[1]
        placed = [re.sub(r'(src|href)="', rf'\1="{ours}/', snippet) for snippet in snippets]
        (tmp_path / "host.html").write_text(
            "<!doctype html><meta charset=utf-8><title>A campaign's own site</title>"
            '<link rel="icon" href="data:,"><h1>Our campaign</h1>' + "<p>".join(placed)
        )
        tab = browser.page()
        try:
            tab.open(f"{theirs}/host.html")
            shown = tab.in_frame(
                f"{ours}/", "document.querySelector('.count')?.textContent ?? null"
            )
            assert shown == f"{count} signatures"
            badge = tab.evaluate(
                "(() => { const i = document.images[0]; return [i.complete, i.naturalWidth] })()"
            )
            assert badge[0] and badge[1] > 50, badge
            elsewhere = [u for u in tab.requests() if not u.startswith((ours, theirs))]
            assert elsewhere == [] and tab.errors() == [], (elsewhere, tab.errors())
            tab.screenshot(str(shots / "embedded-elsewhere.png"))
        finally:
            tab.close()
