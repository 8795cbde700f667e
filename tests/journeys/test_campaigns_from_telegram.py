"""A campaign made entirely from Telegram: created step by step with 14,000-character texts in
two languages, previewed as supporters see it, published, signed, changed (its subscribers told
by one prepared broadcast; its signatures then belong to two versions, visible in the export),
translated by a translator and an admin, closed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace

from bot.core.services import Services
from bot.domain.campaigns import Owner
from bot.storage.admin import organiser_ref
from bot.telegram.context import BotApp
from tests.support.faketg.user import FakeUser
from tests.support.steps import sign

SLUG = "clean-water-for-every-town"


def _paragraphs(word: str, length: int) -> str:
    """Paragraphs of plain sentences until the text is `length` characters long."""
    sentence = f"Every town needs {word} water, and every council can provide it this year. "
    paragraphs, n = [], 0
    while sum(len(p) + 2 for p in paragraphs) < length:
        n += 1
        paragraphs.append(f"{n}. " + sentence * 4)
    return "\n\n".join(paragraphs)


def _english(extra: str = "") -> str:
    return (
        '+++\ntitle = "Clean water for every town"\n'
        'summary = "We ask the councils to bring clean water to every town by next year."\n\n'
        '[goals]\n500 = "At 500 signatures we hand the petition to the councils."\n+++\n'
        f"{_paragraphs('clean', 14_000)}{extra}\n"
    )


RUSSIAN = (
    "Чистая вода в каждом городе\n"
    "Мы просим советы провести чистую воду в каждый город к следующему году.\n\n"
    + _paragraphs("чистая", 14_000).replace("Every town needs", "Каждому городу нужна")
)
UKRAINIAN = (
    "Чиста вода в кожному місті\n"
    "Ми просимо ради провести чисту воду в кожне місто до наступного року.\n\n"
    "Кожному місту потрібна чиста вода.\n\nРади можуть це зробити цього року.\n"
)


async def _versions(admin: FakeUser) -> list[str]:
    await admin.send(f"/export {SLUG} csv")
    document = admin.last.document
    assert document is not None, admin.last.text
    return [row["version"] for row in csv.DictReader(io.StringIO(document[0].decode("utf-8-sig")))]


async def test_a_campaign_made_in_telegram_from_the_first_step_to_its_close(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, app: BotApp
) -> None:
    translator = make_user(first_name="Tess", language_code="uk")
    svc.settings = replace(svc.settings, translator_ids=frozenset({translator.id}), small_count=1)
    await admin.command("newcampaign")
    await admin.press("Petition")
    await admin.press("English")
    await admin.send("100 500 1000")
    await admin.send("City Council of Example\nRegional Water Board")
    assert len(_english()) > 14_000 and len(RUSSIAN) > 14_000
    await admin.send_document(_english().encode(), "en.md")
    await admin.send_document(RUSSIAN.encode(), "ru.txt")
    assert "Texts received: English, Русский" in admin.last.text
    await admin.press("➡️ Continue")
    await admin.send("Do not sign from a work computer.")
    assert f"✅ {SLUG}" in admin.last.buttons[0][0]
    await admin.press(f"✅ {SLUG}")
    await admin.press("➡️ Continue")  # the switches as they are
    shown = [m.text for m in admin.messages]
    assert "👁 Preview: English" in shown and "👁 Preview: Русский" in shown
    assert any(t.startswith("Clean water for every town\nPetition") for t in shown)
    assert any(t.startswith("Чистая вода в каждом городе\nПетиция") for t in shown)
    assert any("Do not sign from a work computer." in t for t in shown)
    english_pages = [t for t in shown if "Page " in t and "Every town needs clean" in t]
    russian_pages = [t for t in shown if "Страница " in t and "Каждому городу нужна" in t]
    pages = len(english_pages)
    assert pages >= 4 and f"Page {pages} / {pages}" in english_pages[-1]  # every page
    assert len(russian_pages) >= 4 and f"Страница {len(russian_pages)} из" in russian_pages[-1]
    assert any(t.startswith("Check your signature") for t in shown)
    assert any(t.startswith("Проверьте подпись") for t in shown)
    assert svc.campaign(SLUG) is None  # nothing is live before Publish
    await admin.press("🚀 Publish")
    assert "The campaign is live" in admin.last.text
    campaign = svc.campaign(SLUG)
    assert campaign is not None and campaign.owner is Owner.DATABASE
    ann = make_user(first_name="Ann")
    await sign(ann, "Ann Early", campaign=SLUG, notify=True)

    await admin.send_document(_english("\n\nA new closing paragraph.").encode(), "en.md", SLUG)
    assert "What changes" in admin.last.text and "+A new closing paragraph." in admin.last.text
    await admin.press("✅ Apply")
    await admin.press("📣 Tell the subscribers")  # one prepared broadcast, confirmed as usual
    await admin.press("Confirm")
    await app.runtime.broadcaster.join()
    assert "The text of this campaign changed on" in ann.last.text
    await sign(make_user(first_name="Bob"), "Bob Later", campaign=SLUG)
    versions = await _versions(admin)
    assert len(set(versions)) == 2 and "" not in versions
    assert all(f"({v}): 1" in (admin.last.caption or "") for v in versions)  # counted per version

    await translator.send_document(UKRAINIAN.encode(), "uk.txt", SLUG)
    assert "Надіслано адміністраторам на схвалення." in translator.last.text  # in their language
    assert "A new language for “Clean water for every town”" in admin.last.text
    await admin.press("✅ Apply")
    assert "uk" in (svc.campaign(SLUG) or campaign).texts
    audit = await svc.db.fetchall(
        "SELECT organiser, level, action FROM audit_log WHERE detail LIKE '%language=uk%'"
    )
    key = svc.settings.signer_key
    assert [tuple(row) for row in audit] == [
        (organiser_ref(key, translator.id), "translator", "campaign_text_submitted"),
        (organiser_ref(key, admin.id), "admin", "campaign_text"),
    ]
    assert (
        "Текст «Clean water for every town» (мова: українська) тепер чинний."
        in translator.last.text
    )

    await admin.command("campaigns")
    assert f"{SLUG}: database, open; missing languages: be, pl" in admin.last.text
    await admin.send(f"/campaign close {SLUG}")
    assert "is closed" in admin.last.text
    reader = make_user(first_name="Cleo")
    await reader.start(SLUG)
    assert "Signing is closed. Final count: 2 signatures." in reader.last.text
