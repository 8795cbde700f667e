"""Publishing the public site of a campaign with many signatures (`--only publish`).

The example campaign `medical-access` (five languages) with `names` public, approved names
that agreed to the web: the time to read and render the whole site, to write and swap it in,
and the sizes of each kind of page.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.config import load_settings
from bot.core import publish
from bot.core.content import load_campaigns
from bot.core.services import Services
from bot.domain.bots import Role
from bot.domain.campaigns import CampaignSet
from bot.i18n import I18n
from bot.ops.publish import write_site
from bot.storage import bots as bot_store
from bot.storage.sqlite import SqliteDatabase
from tests.conftest import ROOT, TOKEN

CAMPAIGN = "medical-access"


def _seed(path: Path, names: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO signatures (campaign, signer, name, role, public, language, signed_at,"
        " review, list_consent, web_consent) VALUES (?, ?, ?, ?, 1, 'en', ?, 'approved', 1, 1)",
        (
            (CAMPAIGN, f"{i:064x}", f"Public Signer {i}", "Nurse" if i % 3 else None, 1_790_000_000)
            for i in range(names)
        ),
    )
    conn.execute("INSERT INTO counters (campaign, signatures) VALUES (?, ?)", (CAMPAIGN, names))
    conn.execute("COMMIT")
    conn.close()


def _kb(files: dict[str, bytes], pattern: str) -> str:
    """The smallest and largest file whose path starts with `pattern` (after any folder)."""
    sizes = [len(d) for p, d in files.items() if p.startswith(pattern) or f"/{pattern}" in p]
    return f"{min(sizes) / 1024:.1f}–{max(sizes) / 1024:.1f} KB" if sizes else "-"


async def bench(names: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = load_settings(
            {
                "BOT_TOKEN": TOKEN,
                "DATABASE_PATH": str(root / "bot.sqlite3"),
                "CAMPAIGNS_DIR": str(ROOT / "campaigns"),
                "SIGNER_KEY": "5e" * 32,
            },
            dotenv=False,
        )
        db = SqliteDatabase(settings.database_path)
        await db.open()
        await db.close()
        _seed(settings.database_path, names)
        await db.open()
        campaigns = CampaignSet(
            replace(c, web_signatories=True) if c.slug == CAMPAIGN else c
            for c in load_campaigns(settings.campaigns_dir).all()
        )
        svc = Services(settings, db, I18n(), campaigns)
        started = time.perf_counter()
        await bot_store.seen(db, 1, "example_petition_bot", Role.PRIMARY, 0)
        files = await publish.site_files(svc)
        rendered = time.perf_counter() - started
        started = time.perf_counter()
        write_site(root / "site", files)
        written = time.perf_counter() - started
        await db.close()
        total = sum(len(d) for d in files.values())
        print(f"\npublish: {names:,} names on the web, {len(files)} files, {total / 1e6:.1f} MB")
        print(f"  read and render {rendered:.2f} s, write and swap {written:.2f} s")
        print(
            f"  campaign page {_kb(files, f'{CAMPAIGN}/index.')}, embed {_kb(files, 'embed.')},"
            f" badge {_kb(files, 'badge.')}, list page {_kb(files, 'names.')}; the index"
            f" {len(files['index.html']) / 1024:.1f} KB (target: under 100 KB before the list)"
        )
