"""Public names are reviewed by default, and the upgrade keeps every name that was listed.

Before, a campaign listed a public name the moment it was signed: one account could put a
named official on a list that prosecutors read. Now a name waits for an organiser unless the
campaign says `review_public_names = false`; names listed before the upgrade stay listed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.config import Settings
from bot.storage.keys import check_signer_key
from bot.storage.sqlite import SqliteDatabase
from tests.conftest import ROOT, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign, without_review

LETTER = "open-doors-letter"
FSI, PDI = "\u2068", "\u2069"


def plain(user: FakeUser) -> str:
    return user.last.text.replace(FSI, "").replace(PDI, "")


async def _pdf_text(admin: FakeUser, campaign: str) -> str:
    await admin.send(f"/export {campaign} pdf")
    document = admin.last.document
    assert document is not None, admin.last.text
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document[0])).pages)


def _set_switch(campaigns_dir: Path, slug: str, line: str) -> None:
    meta = campaigns_dir / slug / "campaign.toml"
    text = meta.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n[[addressees]]")
    meta.write_text(f"{head.rstrip()}\n{line}\n{sep}{rest}", encoding="utf-8")


async def test_public_names_are_reviewed_by_default_in_the_list_and_the_pdf(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await sign(make_user(first_name="F"), "Forged Official", role="Minister of Justice")
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    assert "Forged Official" not in plain(reader)
    assert "1 more public name waits for an organiser's check" in plain(reader)
    assert "Forged Official" not in await _pdf_text(admin, CAMPAIGN)
    await admin.command("review", CAMPAIGN)
    await admin.press("Approve 1 name")
    await reader.command("signatories", CAMPAIGN)
    assert "Forged Official" in plain(reader)


async def test_a_campaign_that_turned_review_off_keeps_its_choice_with_one_warning(
    settings: Settings,
    tg: FakeTelegram,
    clock: Clock,
    campaigns_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _set_switch(campaigns_dir, CAMPAIGN, "review_public_names = false")
    caplog.set_level(logging.WARNING)
    app = await start_app(settings, tg, clock)
    try:
        warned = [r.getMessage() for r in caplog.records if "review_public_names" in r.message]
        assert len(warned) == 1 and CAMPAIGN in warned[0], warned
        await sign(tg.user(app, first_name="A"), "Alina Public")
        reader = tg.user(app, first_name="Reader")
        await reader.command("signatories", CAMPAIGN)
        assert "Alina Public" in plain(reader)
    finally:
        await stop_app(app)


async def _database_as_main_left_it(settings: Settings) -> None:
    """Signatures as the version before review by default stored them (migrations
    0001-0011): every name 'waiting', listed at once unless the campaign turned review on."""
    path = Path(settings.database_path)
    previous = path.parent / "previous-migrations"
    previous.mkdir(parents=True)
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        if int(migration.name[:4]) <= 11:
            (previous / migration.name).write_bytes(migration.read_bytes())
    db = SqliteDatabase(path)
    await db.open(previous)
    await check_signer_key(db, settings.signer_key, settings.pseudonym_cost)
    rows = [
        (CAMPAIGN, "Alina Listed", "Doctor", 1, 1),
        (CAMPAIGN, "Bohdan Listed", None, 1, 1),
        (CAMPAIGN, "Secret Private", None, 0, 0),
        (CAMPAIGN, "Earlier Documents", None, 1, 0),  # agreed to the documents only
        (LETTER, "Waiting Reviewed", None, 1, 1),  # its campaign had review on: never listed
    ]
    for n, (campaign, name, role, public, consent) in enumerate(rows):
        await db.execute(
            "INSERT INTO signatures (campaign, signer, seal, name, role, organisation, public,"
            " list_consent, language, source, signed_at)"
            " VALUES (?, ?, NULL, ?, ?, NULL, ?, ?, 'en', NULL, 1790000000)",
            (campaign, f"signer{n}", name, role, public, consent),
        )
        await db.execute(
            "INSERT INTO counters (campaign, signatures) VALUES (?, 1)"
            " ON CONFLICT (campaign) DO UPDATE SET signatures = signatures + 1",
            (campaign,),
        )
    await db.close()


async def test_an_upgrade_from_the_previous_version_keeps_every_listed_name_listed(
    settings: Settings, tg: FakeTelegram, clock: Clock, campaigns_dir: Path
) -> None:
    """medical-access said nothing about review (listed at once before); the letter turned
    review on itself, so its waiting name was never listed and still is not. The names
    signed before get skeletons, so a look-alike of one is held."""
    await _database_as_main_left_it(settings)
    _set_switch(campaigns_dir, LETTER, "review_public_names = true")
    app = await start_app(settings, tg, clock)
    try:
        admin = tg.user(app, first_name="Ada")
        svc = app.runtime.services
        svc.settings = replace(svc.settings, admin_ids=frozenset({admin.id}))
        reader = tg.user(app, first_name="Reader")
        await reader.command("signatories", CAMPAIGN)
        listed = plain(reader)
        assert "Alina Listed — Doctor" in listed and "Bohdan Listed" in listed
        assert "Secret" not in listed and "Earlier Documents" not in listed
        assert "wait" not in listed  # nothing newly held
        pdf = await _pdf_text(admin, CAMPAIGN)
        assert "Alina Listed" in pdf and "Bohdan Listed" in pdf and "Earlier Documents" in pdf
        await reader.command("signatories", LETTER)
        assert "Waiting Reviewed" not in plain(reader)
        # A name signed after the upgrade waits for review like any other.
        await sign(tg.user(app, first_name="N"), "Newly Signed")
        await reader.command("signatories", CAMPAIGN)
        assert "Newly Signed" not in plain(reader)
        # The names signed before have skeletons: a look-alike of one is held, review or not.
        without_review(svc)
        await sign(tg.user(app, first_name="L"), "A1ina Listed", role="Doctor")
        await reader.command("signatories", CAMPAIGN)
        assert "Newly Signed" in plain(reader) and "A1ina" not in plain(reader)
    finally:
        await stop_app(app)
    # A second start approves nothing more (the marks are gone).
    app = await start_app(settings, tg, clock)
    try:
        reader = tg.user(app, first_name="Reader2")
        await reader.command("signatories", CAMPAIGN)
        assert "Newly Signed" not in plain(reader) and "Alina Listed" in plain(reader)
    finally:
        await stop_app(app)
