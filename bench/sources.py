"""/source at scale: 200 group sources and 300,000 signatures, the old way and the new.

The old way (before migrations/0013) counted each source's signatures on the signature rows,
one correlated COUNT(*) per source with no index on the source: the whole table scanned for
every source while the single connection waited. The new way reads the per-source aggregate
(source_visits, one row per campaign and source) in one query through its index, and groups it
campaign by campaign through the small-count rule; the rows no longer hold a source at all.
Both run here on the same data: first on the database as it was, then after the upgrade.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.signing import CAMPAIGN, bench_settings
from bot.core import sources
from bot.core.content import load_campaigns
from bot.core.services import Services
from bot.i18n import I18n
from bot.storage import sources as source_store
from bot.storage.sqlite import SqliteDatabase, migration_files

NOW = 1_790_000_000
BEFORE = 13  # migrations/0013 took the source off the rows

# bot.storage.sources.with_counts before migrations/0013, verbatim.
OLD_QUERY = (
    "SELECT s.code, s.kind, s.label,"
    " (SELECT COALESCE(SUM(v.visits), 0) FROM source_visits v WHERE v.source = s.code),"
    " (SELECT COUNT(*) FROM signatures g WHERE g.source = s.code)"
    " FROM sources s ORDER BY s.created_at"
)


def _seed(path: Path, groups: int, total: int) -> None:
    """`groups` group sources; `total` signatures, three in four through a group."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sources (code, kind, label, chat_id, created_at) VALUES (?, 'group', ?, ?, ?)",
        ((f"g{i:07d}", f"Group {i}", -1000 - i, i) for i in range(groups)),
    )
    conn.executemany(
        "INSERT INTO signatures (campaign, signer, name, public, language, source, signed_at)"
        " VALUES (?, ?, ?, 1, 'en', ?, ?)",
        (
            (
                CAMPAIGN,
                f"{i:064x}",
                f"Signer {i}",
                f"g{i // 4 % groups:07d}" if i % 4 else None,
                NOW - i,
            )
            for i in range(total)
        ),
    )
    conn.execute(
        "INSERT INTO source_visits (campaign, source, visits)"
        " SELECT campaign, COALESCE(source, ''), 2 * COUNT(*) FROM signatures GROUP BY 1, 2"
    )
    conn.execute("INSERT INTO counters (campaign, signatures) VALUES (?, ?)", (CAMPAIGN, total))
    conn.execute("COMMIT")
    conn.close()


async def bench(groups: int = 200, total: int = 300_000, reads: int = 200) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = work / "old-migrations"
        old.mkdir()
        for version, path in migration_files():
            if version < BEFORE:
                shutil.copy(path, old / path.name)
        settings = bench_settings(work)
        db = SqliteDatabase(settings.database_path)
        await db.open(old)
        await db.close()
        started = time.perf_counter()
        _seed(Path(settings.database_path), groups, total)
        seeded = time.perf_counter() - started

        await db.open(old)
        started = time.perf_counter()
        before = await db.fetchall(OLD_QUERY)
        old_s = time.perf_counter() - started
        await db.close()

        started = time.perf_counter()
        await db.open()  # applies migrations/0013: counts into the aggregate, source off the rows
        upgrade_s = time.perf_counter() - started
        svc = Services(
            settings=settings,
            db=db,
            i18n=I18n(settings.default_language),
            campaigns=load_campaigns(settings.campaigns_dir),
            clock=lambda: float(NOW),
        )
        after = await db.fetchall(
            "SELECT s.code, SUM(v.signed) FROM sources s JOIN source_visits v"
            " ON v.source = s.code GROUP BY s.code"
        )
        counted = {str(r[0]): int(r[4]) for r in before if r[4]}
        same = counted == {str(r[0]): int(r[1]) for r in after} and len(counted) == groups
        plan = " | ".join(
            str(r[-1]) for r in await db.fetchall(f"EXPLAIN QUERY PLAN {source_store.LISTING_SQL}")
        )
        times = []
        for _ in range(reads):
            started = time.perf_counter()
            listing = await sources.listing(svc)
            times.append((time.perf_counter() - started) * 1000)
        await db.close()
    new_ms = statistics.median(times)
    p99 = sorted(times)[int(len(times) * 0.99) - 1]
    shown = len(listing.rows)
    print(f"\n== /source: {groups} group sources, {total:,} signatures ==")
    print(f"   seeding                 {seeded:10.1f} s")
    print(f"   old: COUNT(*) per source{old_s * 1000:10.0f} ms   (one read, the database held)")
    print(f"   upgrade to 0013         {upgrade_s * 1000:10.0f} ms   (once; counts kept: {same})")
    print(f"   new: one query + rule   {new_ms:10.3f} ms   median of {reads}; p99 {p99:.3f} ms")
    print(f"   speed-up                {old_s * 1000 / new_ms:10,.0f} x   ({shown} sources shown)")
    print(f"   plan                    {plan}")
    return {"old_ms": old_s * 1000, "new_ms": new_ms, "upgrade_ms": upgrade_s * 1000}
