"""Versions and consent: each signature records the text its signer confirmed, a text changed
between the preview and the sign button shows the preview again, the card says when the text
changed (with the earlier text a tap away), and exports say which versions were confirmed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.core.services import Services
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign

ADDED = "A paragraph added after the first signatures."


def _edit_text(campaigns_dir: Path) -> None:
    path = campaigns_dir / CAMPAIGN / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")


async def _csv_versions(admin: FakeUser) -> tuple[list[str], str]:
    await admin.send(f"/export {CAMPAIGN} csv")
    document = admin.last.document
    assert document is not None, admin.last.text
    rows = list(csv.DictReader(io.StringIO(document[0].decode("utf-8-sig"))))
    return [row["version"] for row in rows], admin.last.caption or ""


async def test_signatures_record_the_version_they_confirmed_and_the_export_counts_them(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    campaigns_dir: Path,
) -> None:
    svc.settings = replace(svc.settings, small_count=1)
    first = svc.campaign(CAMPAIGN)
    assert first is not None
    before = first.version_for("en")
    await sign(make_user(first_name="Ann"), "Ann Early")
    _edit_text(campaigns_dir)
    await admin.command("reload")
    now = svc.campaign(CAMPAIGN)
    assert now is not None and now.version_for("en") != before
    await sign(make_user(first_name="Bob"), "Bob Later")
    versions, caption = await _csv_versions(admin)
    assert versions == [before, now.version_for("en")]
    assert "Texts the signers confirmed:" in caption
    assert f"({before}): 1" in caption and f"({now.version_for('en')}): 1" in caption


async def test_a_text_changed_after_the_preview_shows_the_preview_again(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, campaigns_dir: Path
) -> None:
    user = make_user(first_name="Cleo")
    await user.start(CAMPAIGN)
    await press_action(user, "sign|")
    await user.send("Cleo Reader")
    shown = dict(user.last.callback_data)
    _edit_text(campaigns_dir)
    await admin.command("reload")
    await press_action(user, f"ok|{CAMPAIGN}|1")
    assert "text has changed while you were deciding" in user.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 0
    assert user.last.callback_data != shown  # its buttons carry the new version
    await press_action(user, f"ok|{CAMPAIGN}|1")
    assert await svc.db.scalar("SELECT COUNT(*) FROM signatures") == 1


async def test_the_card_says_the_text_changed_and_sends_the_earlier_one(
    admin: FakeUser, make_user: Callable[..., FakeUser], campaigns_dir: Path, tg: FakeTelegram
) -> None:
    reader = make_user(first_name="Dora")
    await reader.start(CAMPAIGN)
    assert "The text changed on" not in reader.last.text
    _edit_text(campaigns_dir)
    await admin.command("reload")  # no signatures yet: a correction before anyone signed
    await reader.start(CAMPAIGN)
    assert "The text changed on" not in reader.last.text
    await sign(make_user(first_name="Eve"), "Eve Signer")
    (campaigns_dir / CAMPAIGN / "en.md").write_text(
        (campaigns_dir / CAMPAIGN / "en.md").read_text(encoding="utf-8").replace(ADDED, "Later."),
        encoding="utf-8",
    )
    await admin.command("reload")
    await reader.start(CAMPAIGN)
    assert "The text changed on" in reader.last.text
    await reader.press("📜 The earlier text")
    document = reader.last.document
    assert document is not None
    body, filename = document
    assert filename.startswith(f"{CAMPAIGN}-en-") and filename.endswith(".txt")
    assert ADDED in body.decode("utf-8") and "+++" not in body.decode("utf-8")
