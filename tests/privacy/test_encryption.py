"""BACKUP_RECIPIENTS: backups and exports with names leave the server encrypted to age keys.

The organiser's key pair is made here, as `age-keygen` would; the bot only ever sees the
public half. What the chat receives must hold no name in clear and decrypt to the real file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyrage
import pytest
from pypdf import PdfReader
from pyrage import x25519

from bot import crypto
from bot.core.services import Services
from bot.exports import packaging
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign, without_review

NAMES = ("Ann Secretname", "Олена Таємна", "Hidden Anonymous")


@pytest.fixture(autouse=True)
def _listed_without_review(svc: Services) -> None:
    """Exports of public names, not their review: the campaign lists them at once."""
    without_review(svc)


@pytest.fixture
def identity(svc: Services) -> x25519.Identity:
    key = x25519.Identity.generate()
    svc.settings = replace(svc.settings, backup_recipients=(str(key.to_public()),))
    return key


async def _signers(make_user: Callable[..., FakeUser]) -> None:
    await sign(make_user(first_name="Ann"), NAMES[0])
    await sign(make_user(first_name="Олена", language_code="uk"), NAMES[1])
    await sign(make_user(first_name="Anon"), NAMES[2], public=False)


def _no_name_in_clear(data: bytes) -> None:
    for name in NAMES:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert name.encode(encoding) not in data, name


@pytest.mark.parametrize(
    ("fmt", "extension", "named"),
    [
        ("csv", ".csv", NAMES),
        ("json", ".json", NAMES),
        ("list", ".txt", NAMES[:2]),
        ("pdf", ".pdf", NAMES[:2]),
    ],
)
async def test_every_export_with_names_is_encrypted_to_the_recipients(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    identity: x25519.Identity,
    fmt: str,
    extension: str,
    named: tuple[str, ...],
) -> None:
    await _signers(make_user)
    await admin.send(f"/export {CAMPAIGN} {fmt}")
    document = admin.last.document
    assert document is not None, admin.last.text
    data, filename = document
    assert filename.endswith(extension + ".age")
    assert data.startswith(b"age-encryption.org/v1\n")
    _no_name_in_clear(data)
    caption = admin.last.caption or ""
    assert "Encrypted to the organisers' age keys" in caption
    assert f"age -d -i key.txt -o {filename[: -len('.age')]} {filename}" in caption
    plain = pyrage.decrypt(data, [identity])
    if fmt == "pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(plain)).pages)
    else:
        text = plain.decode("utf-8-sig")
    for name in named:
        assert name in text


async def test_the_backup_is_encrypted_and_decrypts_to_the_database(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    identity: x25519.Identity,
    tmp_path: Path,
) -> None:
    await _signers(make_user)
    await admin.send("/backup")
    document = admin.last.document
    assert document is not None
    data, filename = document
    assert filename.endswith(".sqlite3.age")
    assert b"SQLite format 3" not in data
    _no_name_in_clear(data)
    assert "Encrypted to the organisers' age keys" in (admin.last.caption or "")
    copy = tmp_path / "restored.sqlite3"
    copy.write_bytes(pyrage.decrypt(data, [identity]))
    with sqlite3.connect(copy) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM signatures")}
    assert names == set(NAMES)


async def test_a_large_export_is_zipped_then_encrypted_then_split(
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    identity: x25519.Identity,
    svc: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _signers(make_user)
    for i in range(400):
        await svc.db.execute(
            "INSERT INTO signatures (campaign, signer, name, public, language, signed_at)"
            " VALUES (?, ?, ?, 1, 'en', 1790000000)",
            (CAMPAIGN, f"filler{i}", f"Filler Person {i:04d}"),
        )
    monkeypatch.setattr(packaging, "MAX_UPLOAD", 2_000)
    await admin.send(f"/export {CAMPAIGN} csv")
    parts = [document for m in admin.messages if (document := m.document) is not None]
    assert len(parts) > 1 and all(len(data) <= 2_000 for data, _ in parts)
    names = [name for _, name in parts]
    joined = names[0].removesuffix(".001")
    assert joined.endswith(".csv.zip.age") and names[-1] == f"{joined}.{len(parts):03d}"
    caption = next(m.caption for m in admin.messages if m.document and m.caption)
    assert caption is not None
    assert "&gt;" not in caption  # escaped once: the organiser sees the command as typed
    assert f"cat {joined}.* > {joined}" in caption
    assert f"Then unzip {joined.removesuffix('.age')}." in caption
    data = b"".join(data for data, _ in parts)
    _no_name_in_clear(data)
    with zipfile.ZipFile(io.BytesIO(pyrage.decrypt(data, [identity]))) as zf:
        [inner] = zf.namelist()
        rows = list(csv.reader(io.StringIO(zf.read(inner).decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:4]} == set(NAMES) and len(rows) == 404


async def test_without_recipients_the_files_stay_as_before(
    admin: FakeUser, make_user: Callable[..., FakeUser]
) -> None:
    await _signers(make_user)
    await admin.send(f"/export {CAMPAIGN} json")
    document = admin.last.document
    assert document is not None and document[1].endswith(".json")
    assert [r["name"] for r in json.loads(document[0])["signatures"]] == list(NAMES)
    assert "Encrypted" not in (admin.last.caption or "")


def test_any_one_of_several_recipients_can_decrypt(tmp_path: Path) -> None:
    alice, bob = x25519.Identity.generate(), x25519.Identity.generate()
    target = tmp_path / "names.csv.age"
    plain = b"number,name\n1,Ann Secretname\n"
    with (
        target.open("wb") as file,
        crypto.sealing(file, [str(alice.to_public()), str(bob.to_public())]) as sink,
    ):
        sink.write(plain)
    sealed = target.read_bytes()
    assert b"Ann Secretname" not in sealed and sealed.startswith(crypto.HEADER)
    for key in (alice, bob):
        assert pyrage.decrypt(sealed, [key]) == plain
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed, [x25519.Identity.generate()])
