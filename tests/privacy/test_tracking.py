"""No per-person tracking (issue #25, point 2): a named link sent to one person, or a small
group, unmasks nobody in anything organisers see or export, also by subtraction.

The strongest form of the promise is tested: two bots, identical except that in one Ivan signs
through the link an admin made "for Ivan only", and in the other a stranger signs through a
plain link. Every view (/stats caption, chart and funnel, /source, the funnel CSV) is the same
byte for byte in both; so is what changed since before the signature ("today minus
yesterday"). A moderator who sent the link learns nothing from any of them.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.config import load_settings
from bot.storage import admin as admin_store
from bot.storage import funnel as funnel_store
from bot.storage import sources as source_store
from bot.storage.sqlite import SqliteDatabase, migration_files
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign

IVAN = "for Ivan only"
GROUP = "gKrakow1"
OTHER = "open-doors-letter"  # a second campaign


async def _busy_campaign(app: BotApp) -> None:
    """A campaign under way: a big group and many visitors without a link, as aggregates."""
    svc = app.runtime.services
    today = int(svc.now()) // 86400
    await svc.db.execute(
        "INSERT INTO sources (code, kind, label, chat_id, created_at)"
        " VALUES (?, 'group', 'Kraków diaspora', NULL, 0)",
        (GROUP,),
    )
    for code, visits, signed in ((GROUP, 40, 25), ("", 30, 15)):
        await svc.db.execute(
            "INSERT INTO source_visits (campaign, source, visits, signed) VALUES (?, ?, ?, ?)",
            (CAMPAIGN, code, visits, signed),
        )
        for day, n in ((today - 1, 20), (today, 12)):
            await svc.db.execute(
                "INSERT INTO funnel (campaign, source, day, opened, started, named, signed,"
                " cancelled, expired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (CAMPAIGN, code, day, 3 * n, 2 * n, 2 * n, n, n, n),
            )
    await svc.db.execute(
        "INSERT INTO counters (campaign, signatures) VALUES (?, 40)"
        " ON CONFLICT (campaign) DO UPDATE SET signatures = 40",
        (CAMPAIGN,),
    )
    await svc.db.execute(
        "INSERT INTO activity (campaign, hour, signed) VALUES (?, ?, 40)",
        (CAMPAIGN, int(svc.now()) // 3600 - 30),
    )


async def _views(admin: FakeUser) -> dict[str, bytes | str]:
    """Everything an organiser sees or exports of both campaigns' numbers; the random code of
    the named link blanked (it differs between two bots, and is no count)."""
    [listing] = await admin.send("/source")
    views: dict[str, bytes | str] = {"source": re.sub(r"\bs[A-Za-z0-9]{7}\b", "CODE", listing.text)}
    for campaign in (CAMPAIGN, OTHER):
        photo, funnel = await admin.send(f"/stats {campaign}")
        await admin.send(f"/export {campaign} funnel")
        assert photo.photo is not None and admin.last.document is not None
        views |= {
            f"caption {campaign}": photo.caption or "",
            f"chart {campaign}": photo.photo,
            f"funnel {campaign}": funnel.text,
            f"csv {campaign}": admin.last.document[0].decode("utf-8-sig"),
        }
    return views


async def _world(
    env: dict[str, str], where: Path, ivan_signs: bool, campaign: str = CAMPAIGN
) -> tuple[dict, dict]:
    """A bot where an admin makes Ivan's link, then Ivan (or a stranger without a link) signs
    `campaign`: the views before and after. Ivan's link is the admin's named one, or, in the
    other campaign, the big group's code under that campaign's name (anyone can write it)."""
    settings = load_settings(dict(env, DATABASE_PATH=str(where / "bot.sqlite3")))
    tg = FakeTelegram()
    app = await start_app(settings, tg, Clock())
    try:
        svc = app.runtime.services
        admin = tg.user(app, first_name="Ada", language_code="en")
        svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id}))
        await _busy_campaign(app)
        await admin.send(f"/source new {CAMPAIGN} {IVAN}")
        link = next(v for k, v in admin.last.button_urls.items() if "Send the link" in k)
        payload = parse_qs(urlsplit(parse_qs(urlsplit(link).query)["url"][0]).query)["start"][0]
        before = await _views(admin)
        if campaign != CAMPAIGN:
            payload = f"{campaign}_{GROUP}"
        signer = tg.user(app, first_name="Ivan" if ivan_signs else "Stranger")
        await sign(
            signer, "Ivan Hidden", public=False, campaign=campaign,
            payload=payload if ivan_signs else None,
        )  # fmt: skip
        after = await _views(admin)
    finally:
        await stop_app(app)
    tg.assert_no_violations()
    return before, after


async def test_a_one_person_source_reveals_nothing_below_the_threshold_in_stats_source_chart_or_funnel(
    env: dict[str, str], tmp_path: Path
) -> None:
    before_ivan, ivan = await _world(env, tmp_path / "ivan", ivan_signs=True)
    before_stranger, stranger = await _world(env, tmp_path / "stranger", ivan_signs=False)
    assert before_ivan == before_stranger
    # Ivan through his own link, or a stranger without one: nothing shown or exported differs,
    # so neither does today minus yesterday.
    for view in ivan:
        assert ivan[view] == stranger[view], view
    # The link itself is listed (an admin may re-share it), never next to a number.
    listing = str(ivan["source"]).replace("\u2068", "").replace("\u2069", "")
    [line] = [line for line in listing.splitlines() if IVAN in line]
    assert line.startswith("· ") and not re.search(r"\d", line.replace("CODE", ""))
    assert not any(IVAN in str(v) for k, v in ivan.items() if k != "source")
    # Subtraction: the group is shown exactly, and "other" (Ivan, the visitors without a link)
    # is what the total minus the group leaves: never under the threshold.
    caption = str(ivan[f"caption {CAMPAIGN}"])
    assert "\u2068Kraków diaspora\u2069: 25 / 40" in caption
    assert "Other (sources under 10 and visitors without a link): 16 / 31" in caption
    rows = list(csv.DictReader(io.StringIO(str(ivan[f"csv {CAMPAIGN}"]))))
    today = [r for r in rows if r["day_utc"] == rows[-1]["day_utc"]]
    assert [(r["row"], r["source"], r["signed"]) for r in today] == [
        ("source", "Kraków diaspora", "12"),
        ("other", "", "13"),
    ]
    for row in rows:  # every count exported is exact at 10 or more, or "<10"
        for column in ("opened", "started", "named", "signed", "cancelled", "expired"):
            assert row[column] == "<10" or int(row[column]) >= 10


async def test_a_big_groups_link_sent_to_one_person_for_another_campaign_reveals_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The group is shown in the first campaign; its code written under the second campaign's
    name reaches Ivan alone. /source sums what each campaign's /stats shows, so the group's
    figure there does not move when Ivan signs the second campaign through it."""
    before_ivan, ivan = await _world(env, tmp_path / "ivan", ivan_signs=True, campaign=OTHER)
    before_stranger, stranger = await _world(env, tmp_path / "other", False, campaign=OTHER)
    assert before_ivan == before_stranger
    for view in ivan:
        assert ivan[view] == stranger[view], view
    assert "Kraków diaspora\u2069 (group, gKrakow1): 40 visits · 25 signatures" in str(
        ivan["source"]
    )


async def test_a_moderator_cannot_make_a_named_link_and_an_admins_is_audited_with_its_label(
    tg: FakeTelegram, app: BotApp, admin: FakeUser
) -> None:
    svc = app.runtime.services
    moderator = tg.user(app, first_name="Mo")
    svc.settings = replace(svc.settings, moderator_ids=frozenset({moderator.id}))
    [refused] = await moderator.send(f"/source new {CAMPAIGN} {IVAN}")
    assert refused.text.startswith("Only admins can use /source new.")
    assert [row[1] for row in await source_store.with_counts(svc.db)] == ["direct"]
    await moderator.send("/source")  # the list stays a moderator's
    assert "No sources yet" in moderator.last.text
    await admin.send(f"/source new {CAMPAIGN} {IVAN}")
    assert admin.last.photo is not None
    entries = await admin_store.audit_entries(svc.db)
    assert [e.action for e in entries][:2] == ["source.new", "refused"]
    assert entries[0].detail.startswith(f"campaign={CAMPAIGN} s")
    assert entries[0].detail.endswith(f"label={IVAN}")
    assert entries[1].detail == "command=source new"


async def test_the_upgrade_keeps_every_source_count_and_leaves_no_source_on_any_row(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A database from before migrations/0013, with sources on its signature rows and an
    hourly funnel, upgraded by a real start."""
    old = tmp_path / "old-migrations"
    old.mkdir()
    for version, path in migration_files():
        if version < 13:
            shutil.copy(path, old / path.name)
    settings = load_settings(env)
    db = SqliteDatabase(settings.database_path)
    await db.open(old)
    await db.execute(
        "INSERT INTO sources (code, kind, label, created_at) VALUES"
        " (?, 'group', 'Kraków diaspora', 1), ('sIvan001', 'named', ?, 2)",
        (GROUP, IVAN),
    )
    signers = [GROUP] * 14 + ["sIvan001"] + [None] * 12
    for i, source in enumerate(signers):
        await db.execute(
            "INSERT INTO signatures (campaign, signer, public, language, source, signed_at)"
            " VALUES (?, ?, 0, 'en', ?, ?)",
            (CAMPAIGN, f"{i:064x}", source, 1_790_000_000 - i),
        )
    await db.execute("INSERT INTO counters (campaign, signatures) VALUES (?, 27)", (CAMPAIGN,))
    await db.execute(
        "INSERT INTO source_visits (campaign, source, visits) VALUES (?, ?, 30), (?, '', 20)",
        (CAMPAIGN, GROUP, CAMPAIGN),
    )
    hour = 1_790_000_000 // 3600
    for h, opened in ((hour, 5), (hour + 1, 7), (hour - 24, 3)):
        await db.execute(
            "INSERT INTO funnel (campaign, source, hour, opened, signed) VALUES (?, ?, ?, ?, ?)",
            (CAMPAIGN, GROUP, h, opened, 1),
        )
    await db.close()

    tg = FakeTelegram()
    app = await start_app(settings, tg, Clock())
    try:
        svc = app.runtime.services
        columns = [r[1] for r in await svc.db.fetchall("PRAGMA table_info(signatures)")]
        assert "source" not in columns
        assert await source_store.for_campaign(svc.db, CAMPAIGN) == {
            GROUP: (14, 30),
            "sIvan001": (1, 0),
            "": (12, 20),
        }
        days = await funnel_store.daily_rows(svc.db, CAMPAIGN)
        assert [(t.opened, t.signed) for t in (d[GROUP] for d in days.values())] == [
            (3, 1),
            (12, 2),
        ]  # two hours of one day became that day
        admin = tg.user(app, first_name="Ada", language_code="en")
        svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id}))
        photo, _ = await admin.send(f"/stats {CAMPAIGN}")
        assert "\u2068Kraków diaspora\u2069: 14 / 30" in (photo.caption or "")
        assert "visitors without a link): 13 / 20" in (photo.caption or "")
    finally:
        await stop_app(app)
    wal = settings.database_path.with_name(settings.database_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0 or b"sIvan001" not in wal.read_bytes()
