"""The page index against the real database: after any mix of writes, a page read from it
holds exactly the names a walk of the whole list finds at those positions."""

from __future__ import annotations

import random
from pathlib import Path

from bot.domain.page_index import MOST, PageIndex
from bot.domain.signatories import Listing, Place, Window
from bot.storage import signatories as store
from bot.storage.sqlite import SqliteDatabase

LISTING = Listing(in_bot=True, reviewed=False, earlier=False)


async def _insert(db: SqliteDatabase, campaign: str, key: str, public: int, consent: int) -> None:
    await db.execute(
        "INSERT INTO signatures (campaign, signer, name, public, language, signed_at,"
        " list_consent) VALUES (?, ?, ?, ?, 'en', 0, ?)",
        (campaign, key, f"Name {key}", public, consent),
    )


async def _expected(db: SqliteDatabase) -> list[int]:
    where, params = store.shown_condition(LISTING, Place.BOT)
    rows = await db.fetchall(
        f"SELECT number FROM signatures WHERE campaign = 'c' AND {where} ORDER BY number", params
    )
    return [int(r[0]) for r in rows]


async def test_pages_match_a_walk_of_the_list_after_random_writes(tmp_path: Path) -> None:
    rng = random.Random(2026)
    db = SqliteDatabase(tmp_path / "x.sqlite3")
    await db.open()
    try:
        async with db.transaction() as conn:  # 1,800 rows, two campaigns interleaved
            await conn.executemany(
                "INSERT INTO signatures (campaign, signer, name, public, language, signed_at,"
                " list_consent) VALUES (?, ?, ?, ?, 'en', 0, ?)",
                [
                    ("c" if i % 3 else "d", f"k{i}", f"Name {i}", int(i % 7 != 0), int(i % 11 != 0))
                    for i in range(1800)
                ],
            )
        index: PageIndex = await store.build_index(db, "c", LISTING)
        for round_ in range(12):
            numbers = [int(r[0]) for r in await db.fetchall("SELECT number FROM signatures")]
            if round_ == 3:  # many signed at the end: the last stretch is split
                for i in range(600):
                    await _insert(db, "c", f"late{i}", 1, 1)
            for step in range(25):
                number = rng.choice(numbers)
                match rng.randrange(5):
                    case 0:
                        await db.execute("DELETE FROM signatures WHERE number = ?", (number,))
                    case 1:
                        await db.execute(
                            "UPDATE signatures SET review = ? WHERE number = ?",
                            (rng.choice(["waiting", "approved", "hidden"]), number),
                        )
                    case 2:
                        await db.execute(
                            "UPDATE signatures SET public = 1 - public WHERE number = ?", (number,)
                        )
                    case _:
                        await _insert(db, rng.choice("cd"), f"n{round_}-{step}", 1, 1)
            expected = await _expected(db)
            for after in [0, 1, 255, 256, 700, len(expected) - 3, 10**9]:
                found = await store.page(db, "c", LISTING, index, Window(40, after=after))
                assert found is not None
                entries, listed, _total = found
                assert listed == len(expected)
                first = entries[0].position
                assert [e.number for e in entries] == expected[first - 1 : first - 1 + 40]
                assert first == min(after, len(expected) - len(entries)) + 1
            assert max(index.counts) <= MOST
    finally:
        await db.close()
