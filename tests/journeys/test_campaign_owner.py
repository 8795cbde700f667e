"""The owner rule: a campaign the database owns is served from it, and a folder of the same slug
is left unused (and named); the bot never writes to CAMPAIGNS_DIR."""

from __future__ import annotations

from pathlib import Path

from bot.core import catalogue
from bot.core.services import Services
from bot.domain.campaigns import Owner
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN


def _tree(root: Path) -> dict[str, tuple[bytes, float]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def test_imported_campaigns_are_served_from_the_database_and_folders_left_unused(
    admin: FakeUser, svc: Services, campaigns_dir: Path
) -> None:
    before = _tree(campaigns_dir)
    imported = await catalogue.import_folders(svc.db, campaigns_dir, svc.now())
    assert sorted(imported) == ["medical-access", "open-doors-letter"]
    await admin.command("reload")
    assert "Reloaded 2 campaigns." in admin.last.text
    assert "database owns these campaigns: medical-access, open-doors-letter" in admin.last.text
    assert {c.owner for c in svc.campaigns.all()} == {Owner.DATABASE}
    served = svc.campaign(CAMPAIGN)
    assert served is not None
    title = served.texts["en"].title
    # An edit of the folder no longer reaches the bot: the database owns the campaign.
    en = campaigns_dir / CAMPAIGN / "en.md"
    en.write_text(en.read_text(encoding="utf-8").replace(title, "Edited on disk"), "utf-8")
    await admin.command("reload")
    again = svc.campaign(CAMPAIGN)
    assert again is not None and again.texts["en"].title == title
    del before[f"{CAMPAIGN}/en.md"]
    assert {k: v for k, v in _tree(campaigns_dir).items() if k in before} == before
