"""Changing a live campaign from Telegram: its goals (and their sentences), addressees, kind and
default language, a language taken out (its signatures stay bound to the text they confirmed),
and a translator's text refused; each audited, bad input refused whole, a folder's campaign
refused with the folder's name."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.core import catalogue
from bot.core.services import Services
from bot.domain.campaign_meta import render_meta
from bot.domain.campaigns import Campaign
from bot.storage.admin import organiser_ref
from tests.conftest import BOTH_BACKENDS
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign


async def _owned_by_the_database(admin: FakeUser, svc: Services) -> Campaign:
    await catalogue.import_folders(svc.db, svc.settings.campaigns_dir, svc.now())
    await admin.command("reload")
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None
    return campaign


def _live(svc: Services) -> Campaign:
    campaign = svc.campaign(CAMPAIGN)
    assert campaign is not None
    return campaign


async def _audit(svc: Services) -> list[tuple[str, str, str, str]]:
    rows = await svc.db.fetchall(
        "SELECT organiser, level, action, detail FROM audit_log"
        " WHERE action LIKE 'campaign_%' ORDER BY id"
    )
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


async def test_goals_addressees_kind_and_default_language_change_from_telegram_audited(
    admin: FakeUser, svc: Services, campaigns_dir: Path
) -> None:
    await admin.send(f"/campaign goals {CAMPAIGN} 500 15000 100000")
    assert "edited in its folder on the server (medical-access)" in admin.last.text
    before = await _owned_by_the_database(admin, svc)
    refusals = {
        f"/campaign goals {CAMPAIGN} 1000 500": "whole numbers in increasing order",
        f"/campaign goals {CAMPAIGN} 500 1000": (
            "The Belarusian text has a sentence for the goal 15000: send that text again"
        ),
        f"/campaign addressees {CAMPAIGN}\nOne ministry": (
            "The texts in Belarusian, Polish, Russian, Ukrainian list the addressees"
        ),
        f"/campaign addressees {CAMPAIGN}\n" + "x" * 201: "each at most 200 characters",
        f"/campaign kind {CAMPAIGN} poem": "“poem” is not a kind: use petition or letter.",
        f"/campaign default {CAMPAIGN} de": "“de” is not one of the bot's languages",
        "/campaign goals no-such-campaign 500": "Write the campaign's link name",
        f"/campaign addressees {CAMPAIGN}": "Usage:",
    }
    for command, needle in refusals.items():
        await admin.send(command)
        assert needle in admin.last.text, (command, admin.last.text)
    assert render_meta(_live(svc)) == render_meta(before)  # nothing half-changed

    await admin.send(f"/campaign goals {CAMPAIGN} 500 15000 100000")
    assert "the goals are now 500, 15,000, 100,000 (they were 500, 1,000, 2,500" in admin.last.text
    assert _live(svc).goals == (500, 15000, 100000)
    # A goal's sentence is part of a language's text: sent as its document.
    en = (campaigns_dir / CAMPAIGN / "en.md").read_text(encoding="utf-8")
    sentence = "At 500 signatures we write to every ministry."
    changed = en.replace("[goals]\n", f'[goals]\n500 = "{sentence}"\n', 1)
    await admin.send_document(changed.encode(), "en.md", CAMPAIGN)
    assert f"+{sentence}" not in admin.last.text  # the header is not the text read
    await admin.press("✅ Apply")
    assert _live(svc).goal_meaning(500).sentences == (("en", sentence),)

    names = [f"Ministry number {n}" for n in range(1, 16)]  # as many as before
    await admin.send(f"/campaign addressees {CAMPAIGN} {names[0]}\n" + "\n".join(names[1:]))
    assert "now has 15 addressees:\n• Ministry number 1\n" in admin.last.text
    assert (
        "The texts in Belarusian, Polish, Russian, Ukrainian name the addressees in their own"
        in admin.last.text
    )
    assert _live(svc).addressees_for("en") == tuple(names)

    await admin.send(f"/campaign kind {CAMPAIGN} letter")
    assert "is now an open letter." in admin.last.text
    await admin.send(f"/campaign kind {CAMPAIGN} letter")  # repeated: changes nothing more
    await admin.send(f"/campaign default {CAMPAIGN} uk")
    assert "readers whose language has no text are now shown Ukrainian." in admin.last.text
    assert (_live(svc).kind, _live(svc).default_language) == ("letter", "uk")

    exported = campaigns_dir.parent / "exported"
    await catalogue.export_folders(svc.db, exported)
    meta = (exported / CAMPAIGN / "campaign.toml").read_text(encoding="utf-8")
    assert 'kind = "letter"' in meta and "goals = [500, 15000, 100000]" in meta
    assert 'name = "Ministry number 15"' in meta and 'default_language = "uk"' in meta

    audit = await _audit(svc)
    assert [action for _, _, action, _ in audit] == [
        "campaign_goals",
        "campaign_text",
        "campaign_addressees",
        "campaign_kind",
        "campaign_default_language",
    ]
    assert {(who, level) for who, level, _, _ in audit} == {
        (organiser_ref(svc.settings.signer_key, admin.id), "admin")
    }
    assert "goals=500,15000,100000" in audit[0][3] and "addressees=15" in audit[2][3]
    assert not any(str(admin.id) in detail or "Ministry" in detail for *_, detail in audit)


@BOTH_BACKENDS  # its SQL is new
async def test_a_language_taken_out_keeps_its_signatures_bound_to_the_text_they_confirmed(
    admin: FakeUser,
    svc: Services,
    make_user: Callable[..., FakeUser],
    campaigns_dir: Path,
) -> None:
    svc.settings = replace(svc.settings, small_count=1)
    before = await _owned_by_the_database(admin, svc)
    uk_version = before.version_for("uk")
    await sign(make_user(first_name="Oksana", language_code="uk"), "Oksana Early")
    late = make_user(first_name="Taras", language_code="uk")
    await late.start(CAMPAIGN)  # reading the Ukrainian preview while it is taken out
    await press_action(late, "sign|")
    await late.send("Taras Late")

    await admin.send(f"/campaign remove {CAMPAIGN} en")
    assert "The text in the default language cannot be removed" in admin.last.text
    await admin.send(f"/campaign remove {CAMPAIGN} uk")
    assert "no longer has a text in Ukrainian: its readers are shown English." in admin.last.text
    assert "uk" not in _live(svc).texts and _live(svc).default_language == "en"
    await admin.send(f"/campaign remove {CAMPAIGN} uk")  # repeated
    assert "This campaign has no text in Ukrainian" in admin.last.text
    await admin.send(f"/campaign default {CAMPAIGN} uk")
    assert "This campaign has no text in Ukrainian: first send it" in admin.last.text

    await press_action(late, f"ok|{CAMPAIGN}|1")  # the text they read is gone: shown again
    assert "Поки ви вирішували, текст кампанії змінився" in late.last.text
    await press_action(late, f"ok|{CAMPAIGN}|1")
    await admin.send(f"/export {CAMPAIGN} csv")
    document = admin.last.document
    assert document is not None
    rows = list(csv.DictReader(io.StringIO(document[0].decode("utf-8-sig"))))
    assert [row["version"] for row in rows] == [uk_version, before.version_for("en")]
    assert "Ukrainian, " in (admin.last.caption or "") and f"({uk_version}): 1" in (
        admin.last.caption or ""
    )
    await admin.command("campaigns")
    assert f"{CAMPAIGN}: database, open; missing languages: uk" in admin.last.text
    exported = campaigns_dir.parent / "exported"
    await catalogue.export_folders(svc.db, exported)
    assert not (exported / CAMPAIGN / "uk.md").exists()

    # Sent again, the language is back.
    uk = (campaigns_dir / CAMPAIGN / "uk.md").read_bytes()
    await admin.send_document(uk, "uk.md", CAMPAIGN)
    assert "A new language for" in admin.last.text
    await admin.press("✅ Apply")
    assert _live(svc).texts["uk"].title == before.texts["uk"].title
    actions = [(action, detail) for _, _, action, detail in await _audit(svc)]
    assert ("campaign_language_removed", f"slug={CAMPAIGN} language=uk") in actions


async def test_a_translators_text_refused_is_audited_with_who_sent_and_who_decided(
    admin: FakeUser, svc: Services, make_user: Callable[..., FakeUser], campaigns_dir: Path
) -> None:
    translator = make_user(first_name="Tess", language_code="uk")
    svc.settings = replace(svc.settings, translator_ids=frozenset({translator.id}))
    await _owned_by_the_database(admin, svc)
    uk = (campaigns_dir / CAMPAIGN / "uk.md").read_text(encoding="utf-8")
    await translator.send_document((uk + "\nЩе один абзац.\n").encode(), "uk.md", CAMPAIGN)
    assert "Надіслано адміністраторам на схвалення." in translator.last.text
    assert "Sent by a translator." in admin.last.text and "+Ще один абзац." in admin.last.text
    await admin.press("✖️ Refuse")
    assert "was refused; nothing changed" in admin.last.text
    assert "Ще один абзац." not in _live(svc).texts["uk"].source
    submitted, refused = await _audit(svc)
    key = svc.settings.signer_key
    assert submitted[:3] == (
        organiser_ref(key, translator.id),
        "translator",
        "campaign_text_submitted",
    )
    assert refused[:3] == (organiser_ref(key, admin.id), "admin", "campaign_text_refused")
    request = submitted[3].split(" request=")[1].split()[0]
    assert f"request={request} " in refused[3] and refused[3].endswith("by=translator")
    assert f"from={_live(svc).version_for('uk')} to=" in submitted[3]
