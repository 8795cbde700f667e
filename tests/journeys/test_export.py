"""/export: CSV, JSON, list and PDF as the admin receives them in the chat."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.core.services import Services
from bot.exports import packaging
from bot.exports.spool import Spool
from bot.telegram.handlers import admin as admin_handlers
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import configure, sign, without_review


@pytest.fixture(autouse=True)
def _listed_without_review(svc: Services) -> None:
    """Exports of public names, not their review: the campaign lists them at once."""
    without_review(svc)


async def _export(admin: FakeUser, args: str) -> tuple[bytes, str]:
    await admin.send(f"/export {args}".strip())
    document = admin.last.document
    assert document is not None, admin.last.text
    return document


async def _signers(make_user: Callable[..., FakeUser]) -> None:
    await sign(make_user(first_name="X"), '=HYPERLINK("x")', role="+1 chief")
    await sign(make_user(first_name="Олена", language_code="uk"), "Олена Коваленко")
    await sign(make_user(first_name="Anon"), "Hidden Person", public=False)


async def test_csv_has_a_bom_the_columns_and_neutralised_formulas(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await _signers(make_user)
    data, filename = await _export(admin, "medical-access")
    assert filename.startswith("medical-access-signatures-") and filename.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "number",
        "name",
        "role",
        "organisation",
        "public",
        "review",
        "language",
        "signed_at",
        "version",
    ]
    body = rows[1:]
    assert len(body) == 3
    records = [dict(zip(rows[0], row, strict=True)) for row in body]
    evil = records[0]
    assert evil["name"] == '\'=HYPERLINK("x")'
    assert evil["role"] == "'+1 chief"
    assert evil["public"] == "yes" and evil["review"] == "" and evil["language"] == "en"
    assert evil["signed_at"].endswith("Z") and "T" in evil["signed_at"]
    assert records[1]["name"] == "Олена Коваленко" and records[1]["language"] == "uk"
    assert records[2]["name"] == "Hidden Person" and records[2]["public"] == "no"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)


async def test_exports_hold_no_telegram_ids_or_usernames(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user(first_name="Uma", username="uma_secret_handle")
    await sign(user, "Uma Public", notify=True)
    for fmt in ("csv", "json", "list", "pdf"):
        data, _ = await _export(admin, f"medical-access {fmt}")
        assert str(user.id).encode() not in data
        assert b"uma_secret_handle" not in data


async def test_json_parses_with_the_same_records(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await _signers(make_user)
    data, filename = await _export(admin, "medical-access json")
    assert filename.endswith(".json")
    document = json.loads(data)
    assert document["campaign"] == "medical-access"
    records = document["signatures"]
    assert [r["name"] for r in records] == [
        '=HYPERLINK("x")',
        "Олена Коваленко",
        "Hidden Person",
    ]
    assert set(records[0]) == {
        "number",
        "name",
        "role",
        "organisation",
        "public",
        "review",
        "language",
        "signed_at",
        "version",
    }
    assert records[2]["public"] is False and records[0]["role"] == "+1 chief"


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_public_names_option_leaves_anonymous_signers_unnamed(
    admin: FakeUser, make_user: Callable[..., FakeUser], fmt: str
) -> None:
    await _signers(make_user)
    await sign(make_user(first_name="Quiet"), "Quiet Surgeon", role="surgeon", public=False)
    data, _ = await _export(admin, f"medical-access {fmt} public-names")
    assert b"Hidden Person" not in data and b"Quiet Surgeon" not in data
    assert b"surgeon" not in data  # role and organisation identify people too
    assert "Олена Коваленко".encode() in data
    assert "Only the signatures whose names the documents show" in (admin.last.caption or "")
    if fmt == "csv":
        records: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        records = json.loads(data)["signatures"]
    # Anonymous signatures are not rows at all: their time and language identify
    # people as much as a name (the totals count them).
    assert [r["name"].lstrip("'") for r in records] == ['=HYPERLINK("x")', "Олена Коваленко"]


async def test_public_names_option_leaves_hidden_names_out_too(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await sign(make_user(first_name="H"), "Hidden Later", role="Journalist")
    await sign(make_user(first_name="S"), "Still Shown")
    await admin.send("/hide 1")
    data, _ = await _export(admin, "medical-access csv public-names")
    assert b"Hidden Later" not in data and b"Journalist" not in data and b"Still Shown" in data
    data, _ = await _export(admin, "medical-access csv")  # the full export keeps it, marked
    [hidden] = [
        r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))) if r["number"] == "1"
    ]
    assert hidden["name"] == "Hidden Later" and hidden["review"] == "hidden"


async def test_the_review_column_is_blank_where_nobody_reviews_names(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await sign(make_user(first_name="A"), "Anna Listed")
    await sign(make_user(first_name="B"), "Boris Hidden")
    await sign(make_user(first_name="C"), "Clara Quiet", public=False)
    await admin.send("/hide 2")
    data, _ = await _export(admin, "medical-access csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["review"] for r in rows] == ["", "hidden", ""]  # no "waiting" for a review
    data, _ = await _export(admin, "medical-access json")
    assert [r["review"] for r in json.loads(data)["signatures"]] == ["", "hidden", ""]
    configure(svc, review_public_names=True, review_explicit=True)
    data, _ = await _export(admin, "medical-access csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["review"] for r in rows] == ["waiting", "hidden", "waiting"]


async def test_anonymous_names_are_exported_by_default(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    """Anonymous signers agreed to organisers seeing their names; the option is opt-in."""
    await _signers(make_user)
    data, _ = await _export(admin, "medical-access csv")
    assert b"Hidden Person" in data
    assert "organisations left out" not in (admin.last.caption or "")


async def test_empty_json_export_is_valid(admin: FakeUser) -> None:
    data, _ = await _export(admin, "medical-access json")
    assert json.loads(data)["signatures"] == []


async def test_list_has_public_names_only_and_skips_anonymised_rows(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await _signers(make_user)
    await sign(make_user(first_name="Gone"), "Gone Person")
    await svc.db.execute("UPDATE signatures SET name = NULL WHERE name = 'Gone Person'")
    data, filename = await _export(admin, "medical-access list")
    assert filename.endswith(".txt")
    assert data.decode("utf-8").splitlines() == [
        '=HYPERLINK("x"), +1 chief',
        "Олена Коваленко",
    ]


async def test_pdf_is_valid_and_renders_cyrillic_names(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await _signers(make_user)
    data, filename = await _export(admin, "medical-access pdf")
    assert filename.endswith(".pdf") and data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Doctors and family visits for political prisoners in Belarus" in text
    assert "Олена Коваленко" in text
    assert "Hidden Person" not in text
    assert "3 signatures" in text
    assert "and 1 more who signed without a public name" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in f for f in fonts)


async def test_pdf_in_another_language(admin: FakeUser, make_user: Callable[..., FakeUser]) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    data, _ = await _export(admin, "medical-access pdf ru")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Ann One" in text
    assert any("\u0400" <= ch <= "\u04ff" for ch in text.split("Ann One")[0])


async def test_pdf_shapes_right_to_left_names(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await sign(make_user(first_name="M"), "محمد الأحمد", role="مهندس")
    await sign(make_user(first_name="L"), "Latin Name")
    data, _ = await _export(admin, "medical-access pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    # Unshaped, the letters would come back reversed ("دمحألا دمحم").
    assert "محمد الأحمد" in text and "دمحألا" not in text
    assert "Latin Name" in text


async def test_large_export_shows_progress_then_ready(
    admin: FakeUser, make_user: Callable[..., FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_handlers, "PROGRESS_AFTER", 2)
    await _signers(make_user)
    await admin.send("/export medical-access")
    texts = [m.text for m in admin.messages]
    assert "The export is ready: 3 records." in texts
    assert admin.last.document is not None
    progress = next(m for m in admin.messages if m.text == "The export is ready: 3 records.")
    assert progress.edited  # "Preparing the export…" edited in place


async def test_oversized_export_is_zipped(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _signers(make_user)
    for i in range(300):
        await svc.db.execute(
            "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
            " VALUES ('medical-access', ?, 'Олена Коваленко', 1, 'uk', 1790000000)",
            (f"filler{i}",),
        )
    monkeypatch.setattr(packaging, "MAX_UPLOAD", 10_000)
    data, filename = await _export(admin, "medical-access csv")
    assert filename.endswith(".csv.zip") and len(data) <= 10_000
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        [inner] = zf.namelist()
        content = zf.read(inner).decode("utf-8-sig")
        assert inner.endswith(".csv") and len(content.splitlines()) == 304


def test_fit_splits_into_parts_that_join_back(tmp_path: Path) -> None:
    source = Spool(tmp_path / "big.bin", sealed=False)
    payload = os.urandom(300_000)  # incompressible: zipping alone cannot make it fit
    source.fill(payload)
    package = packaging.fit(source, "big.bin", limit=100_000)
    parts = package.files
    assert len(parts) == 4 and parts[0][1] == "big.bin.zip.001"
    assert package.name == "big.bin.zip" and package.zipped and not package.encrypted
    assert all(p.stat().st_size <= 100_000 for p, _ in parts)
    joined = b"".join(p.read_bytes() for p, _ in parts)
    with zipfile.ZipFile(io.BytesIO(joined)) as zf:
        assert zf.read("big.bin") == payload


async def test_export_unknown_format_shows_usage(admin: FakeUser, tg: FakeTelegram) -> None:
    await admin.send("/export medical-access xlsx")
    assert "Usage: /export" in admin.last.text
    assert not tg.calls_to("sendDocument")


async def test_campaign_is_optional_when_there_is_only_one(
    admin: FakeUser, make_user: Callable[..., FakeUser], campaigns_dir: Path
) -> None:
    await sign(make_user(first_name="Ann"), "Ann One")
    shutil.rmtree(campaigns_dir / "open-doors-letter")
    await admin.send("/reload")
    assert "Reloaded 1 campaign." in admin.last.text
    data, filename = await _export(admin, "json")
    assert filename.startswith("medical-access-")
    assert [r["name"] for r in json.loads(data)["signatures"]] == ["Ann One"]


async def test_exports_are_streamed_from_the_database(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    svc: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _signers(make_user)
    streamed: list[str] = []
    real_batches = svc.db.stream_batches

    def spy(sql: str, params: Any = (), batch: int = 2000, key: str = "number") -> Any:
        streamed.append(sql)
        return real_batches(sql, params, batch, key)

    real_fetchall = svc.db.fetchall

    async def no_fetchall(sql: str, params: Any = ()) -> Any:
        if "FROM signatures" in sql:  # small tables (sources) may be read whole
            raise AssertionError(f"export loaded rows at once: {sql}")
        return await real_fetchall(sql, params)

    monkeypatch.setattr(svc.db, "stream_batches", spy)  # `stream` reads through it too
    monkeypatch.setattr(svc.db, "fetchall", no_fetchall)
    for fmt in ("csv", "json", "list", "pdf"):
        await _export(admin, f"medical-access {fmt}")
    assert len(streamed) == 4 and all("FROM signatures" in sql for sql in streamed)


async def test_the_pdf_for_the_addressees_holds_nothing_meant_for_supporters(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    reader = make_user(first_name="Rea")
    await sign(reader, "Rea Der")
    campaign = svc.campaign("medical-access")
    assert campaign is not None
    supporters_only = ("Please pass the petition on", "If you live in Belarus or travel there")
    shown_in_the_bot = " ".join(campaign.texts["en"].paragraphs)
    assert all(words in shown_in_the_bot for words in supporters_only)
    data, _ = await _export(admin, "medical-access pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Health and family are not privileges" in text  # the closing words stay
    for words in supporters_only:
        assert words not in text
    data, _ = await _export(admin, "medical-access pdf ru")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Если вы живёте в Беларуси или ездите туда" not in text
