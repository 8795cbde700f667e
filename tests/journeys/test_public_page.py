"""The public page through the real Application: who is on the web, and the promise the sign
button carries (README, "Public page"; threat model (g))."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.core.services import Services
from bot.storage import signatures as signature_store
from bot.telegram.context import BotApp
from bot.telegram.jobs import run_publish
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, configure, press_action, sign, without_review


async def _publish(app: BotApp, svc: Services, folder: Path) -> dict[str, str]:
    """One scheduled run; every published file's text."""
    svc.settings = replace(svc.settings, publish_dir=folder)
    assert await run_publish(app.runtime)
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }


def _anywhere(files: dict[str, str], name: str) -> list[str]:
    return [path for path, text in files.items() if name in text]


async def test_only_web_consented_names_are_published_and_a_withdrawn_one_goes(
    app: BotApp, svc: Services, make_user: Callable[..., FakeUser], admin: FakeUser, tmp_path: Path
) -> None:
    without_review(svc)
    alice = make_user(first_name="A")
    await sign(alice, "Alice Earlier")  # before the web list existed
    configure(svc, web_signatories=True)
    bob = make_user(first_name="B")
    await bob.start(CAMPAIGN)
    await press_action(bob, "sign|")
    await bob.send("Bob Consented")
    assert "also published on this campaign's public web page" in bob.last.text
    assert "copies and archives the bot cannot reach" in bob.last.text
    await press_action(bob, f"ok|{CAMPAIGN}|1")
    await sign(make_user(first_name="C"), "Carol Hidden", public=False)
    await sign(make_user(first_name="D"), "Dave Removed")
    eve = make_user(first_name="E")
    await sign(eve, "Eve Withdrawn")
    await admin.command("hide", "4")  # Dave, by an organiser
    await bob.command("mysignature")
    assert "On the public web page: yes" in bob.last.text
    await alice.command("mysignature")
    assert "On the public web page: no" in alice.last.text

    site = tmp_path / "site"
    files = await _publish(app, svc, site)
    page = files[f"{CAMPAIGN}/names.en.1.html"]
    assert "<bdi>Bob Consented</bdi>" in page and "<bdi>Eve Withdrawn</bdi>" in page
    for absent in ("Alice Earlier", "Carol Hidden", "Dave Removed"):
        assert _anywhere(files, absent) == [], absent
    count = json.loads(files[f"{CAMPAIGN}/count.json"])
    assert count["count"] == await signature_store.count(svc.db, CAMPAIGN) == 5
    assert "and 3 more counted without a name here" in page

    await eve.send("/withdraw")
    await eve.press("Yes, withdraw")
    files = await _publish(app, svc, site)
    assert _anywhere(files, "Eve Withdrawn") == []
    assert json.loads(files[f"{CAMPAIGN}/count.json"])["count"] == 4
    assert not list(tmp_path.glob(".site.*"))  # nothing left beside the site

    # Earlier signatures only under the campaign's switch, set after telling their signers.
    configure(svc, list_earlier_on_web=True)
    files = await _publish(app, svc, site)
    found = _anywhere(files, "Alice Earlier")
    assert found and all(path.startswith(f"{CAMPAIGN}/names.") for path in found), found
    assert _anywhere(files, "Dave Removed") == [] and _anywhere(files, "Carol Hidden") == []


async def test_a_sign_button_from_before_the_web_list_records_nothing(
    svc: Services, make_user: Callable[..., FakeUser]
) -> None:
    """The preview did not say "on the web": once the campaign publishes its list there, its
    button is refused and the preview shown again with the new promise."""
    without_review(svc)
    ann = make_user(first_name="Ann")
    await ann.start(CAMPAIGN)
    await press_action(ann, "sign|")
    await ann.send("Ann Cautious")
    assert "web page" not in ann.last.text
    configure(svc, web_signatories=True)
    await press_action(ann, f"ok|{CAMPAIGN}|1")
    assert await signature_store.count(svc.db, CAMPAIGN) == 0
    assert "has changed while you were deciding" in ann.last.text
    assert "also published on this campaign's public web page" in ann.last.text
