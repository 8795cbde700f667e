"""A seized disk, read as a forensic examiner would: raw bytes of a loop-mounted ext4 image.

Freed blocks keep what was written to them, so a file that was deleted, truncated or replaced
is still there unless its bytes were overwritten. These tests drive the real Application
through signing, withdrawal, backups, exports and restores on such images (as root), and watch
BACKUP_DIR with inotify while backups are made. The README's threat model names them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from bot import cli, crypto
from bot.config import load_settings
from bot.telegram import jobs
from bot.telegram.context import BotApp
from tests.conftest import Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

KEPT = ("Ann Keptname", "Boris Keptname")
WITHDRAWN = "Cleo Withdrawnname"
# What marks a SQLite database, WAL or rollback journal (each format's magic number).
SQLITE_MARKS = (
    b"SQLite format 3\x00",
    bytes.fromhex("377f0682002de218"),
    bytes.fromhex("377f0683002de218"),
    bytes.fromhex("d9d505f920a163d7"),
)

pytestmark = pytest.mark.usefixtures("restore_logging")


def _loop_mount(image: Path, where: Path) -> str | None:
    """Formats `image` (32 MB ext4) and mounts it at `where`; the reason when it cannot."""
    if os.geteuid() != 0:
        return "not root"
    where.mkdir()
    with image.open("wb") as fh:
        fh.truncate(32 << 20)
    for command in (
        ["mkfs.ext4", "-q", "-F", str(image)],
        ["mount", "-o", "loop", str(image), str(where)],
    ):
        try:
            done = subprocess.run(command, capture_output=True, timeout=60, check=False)
        except FileNotFoundError:
            return f"{command[0]} is not installed"
        if done.returncode != 0:
            return f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()[:80]}"
    return None


@pytest.fixture
def disks(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two fresh ext4 images, mounted: the data directory's, and the files' (BACKUP_DIR and
    the temporary folder of exports). The live database is SQLite by nature, so SQLite marks
    are searched for only on the second, where nothing may be a plaintext database."""
    mounted: list[Path] = []
    try:
        for name in ("data", "files"):
            reason = _loop_mount(tmp_path / f"{name}.img", tmp_path / name)
            if reason is not None:
                pytest.skip(f"loop devices are not available here ({reason})")
            mounted.append(tmp_path / name)
        yield mounted[0], mounted[1]
    finally:
        for where in mounted:
            subprocess.run(["umount", str(where)], capture_output=True, check=False)


def _unmount(where: Path) -> bytes:
    subprocess.run(["umount", str(where)], check=True, capture_output=True)
    return where.with_suffix(".img").read_bytes()


def _encodings(text: str) -> list[bytes]:
    return [text.encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")]


def _restore(*argv: str) -> int:
    return cli.main(["restore", *argv])


async def test_a_disk_image_holds_no_withdrawn_name_and_no_plaintext_backup_or_export(
    disks: tuple[Path, Path],
    env: dict[str, str],
    tg: FakeTelegram,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, files = disks
    identity = x25519.Identity.generate()
    key_file = tmp_path / "organiser-key.txt"  # on the organiser's computer, not the images
    key_file.write_text(f"{identity}\n")
    env = {
        **env,
        "DATABASE_PATH": str(data / "bot.sqlite3"),
        "BACKUP_DIR": str(files / "backups"),
        "BACKUP_RECIPIENTS": str(identity.to_public()),
        "BACKUP_KEEP": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    (files / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(files / "tmp"))  # exports and /backup
    settings = load_settings(env)
    app = await start_app(settings, tg, clock)
    try:
        ann, boris, cleo = (tg.user(app, first_name=n.split()[0]) for n in (*KEPT, WITHDRAWN))
        await sign(ann, KEPT[0])
        await sign(boris, KEPT[1], public=False)
        await sign(cleo, WITHDRAWN)
        early = await jobs.run_backup(app.runtime)
        assert early is not None
        kept_copy = files / "kept-by-the-organiser.age"  # an old backup saved elsewhere
        shutil.copyfile(early, kept_copy)
        await cleo.send("/withdraw")
        await cleo.press("Yes, withdraw")
        for _ in range(3):  # three backups with BACKUP_KEEP=2: the first is rotated out
            clock.advance(settings.backup_every_hours * 3600)
            assert await jobs.run_backup(app.runtime) is not None
        assert not early.exists()
        newest = max((files / "backups").glob("*.age"))
        admin = tg.user(app, first_name="Ada")
        settings = replace(settings, admin_ids=frozenset({admin.id}))
        app.runtime.services.settings = settings
        for command in (f"/export {CAMPAIGN} csv", f"/export {CAMPAIGN} pdf", "/backup"):
            await admin.send(command)
            document = admin.last.document
            assert document is not None and document[0].startswith(crypto.HEADER), command
    finally:
        await stop_app(app)

    for suffix in ("", "-wal", "-shm"):  # the server's disk is replaced: restore from backup
        Path(f"{settings.database_path}{suffix}").unlink(missing_ok=True)
    assert _restore(str(kept_copy), "--identity", str(key_file)) == 2
    assert "older than the last erasure" in capsys.readouterr().err
    os.sync()  # the refused copy's blocks, before the next restore can reuse them
    for form in _encodings(WITHDRAWN):
        assert form not in data.with_suffix(".img").read_bytes(), "a refused restore's copy"
    assert _restore(str(newest), "--identity", str(key_file)) == 0
    app = await start_app(settings, tg, clock)
    try:
        ann = FakeUser(tg, app, tg.users[ann.id])  # the same person, to the restored bot
        await ann.send("/mysignature")
        assert KEPT[0] in ann.last.text
    finally:
        await stop_app(app)

    data_image, files_image = _unmount(data), _unmount(files)
    for form in _encodings(WITHDRAWN):
        assert form not in data_image, "the withdrawn name is on the data disk"
        assert form not in files_image, "the withdrawn name is on the backup disk"
    for name in KEPT:
        for form in _encodings(name):
            assert form not in files_image, f"{name} in clear on the backup disk"
    for mark in SQLITE_MARKS:
        assert mark not in files_image, f"a plaintext SQLite file on the backup disk: {mark!r}"
    assert b"SQLite format 3\x00" in data_image  # the search itself finds a database


# -- inotify: every file created in BACKUP_DIR, as it is created --------------------------

_IN_MODIFY, _IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x2, 0x40, 0x80, 0x100, 0x200
_IN_NONBLOCK = 0o4000
_EVENT = struct.Struct("iIII")


class Watch:
    """inotify on one folder: every file created in it, and the first bytes each had when
    it was first written (read when the event arrives, not by polling)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(_IN_NONBLOCK)
        if self.fd < 0:
            pytest.skip("inotify is not available here")
        mask = _IN_CREATE | _IN_MODIFY | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_DELETE
        if self._libc.inotify_add_watch(self.fd, bytes(folder), mask) < 0:
            pytest.skip("inotify is not available here")
        self.created: list[str] = []
        self.first_bytes: dict[str, bytes] = {}
        self.moved: dict[str, str] = {}  # from -> to
        self.deleted: list[str] = []
        self._moving: dict[int, str] = {}

    def read(self) -> None:
        try:
            buffer = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        offset = 0
        while offset < len(buffer):
            _, mask, cookie, length = _EVENT.unpack_from(buffer, offset)
            raw = buffer[offset + _EVENT.size : offset + _EVENT.size + length]
            name = raw.rstrip(b"\0").decode()
            offset += _EVENT.size + length
            if mask & _IN_CREATE:
                self.created.append(name)
            if mask & _IN_MODIFY and name not in self.first_bytes:
                with contextlib.suppress(FileNotFoundError):  # renamed: the final name is read
                    self.first_bytes[name] = (self.folder / name).read_bytes()[:64]
            if mask & _IN_MOVED_FROM:
                self._moving[cookie] = name
            if mask & _IN_MOVED_TO and cookie in self._moving:
                self.moved[self._moving.pop(cookie)] = name
            if mask & _IN_DELETE:
                self.deleted.append(name)

    def close(self) -> None:
        os.close(self.fd)


async def test_every_file_created_in_backup_dir_starts_with_the_age_header(
    env: dict[str, str], tg: FakeTelegram, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    identity = x25519.Identity.generate()
    settings = load_settings(
        {**env, "BACKUP_DIR": str(folder), "BACKUP_RECIPIENTS": str(identity.to_public())}
    )
    app = await start_app(settings, tg, clock)
    watch = Watch(folder)
    asyncio.get_running_loop().add_reader(watch.fd, watch.read)
    try:
        await _backups_with_signers(app, tg, clock, settings.backup_every_hours)
        await asyncio.sleep(0.05)  # the last events reach the reader
        watch.read()
    finally:
        asyncio.get_running_loop().remove_reader(watch.fd)
        watch.close()
        await stop_app(app)
    ledger = {".erasures.json.new", "erasures.json"}  # counts only: no person in it
    backups = [name for name in watch.created if name not in ledger]
    assert len(backups) == 3, watch.created
    for name in backups:
        head = watch.first_bytes.get(name)
        final = folder / watch.moved.get(name, name)
        assert head is not None or final.exists(), f"{name} was deleted before it was read"
        assert head is None or head.startswith(crypto.HEADER), f"{name} began {head!r}"
        if final.exists():
            data = final.read_bytes()
            assert data.startswith(crypto.HEADER), final.name
            assert pyrage.decrypt(data, [identity]).startswith(b"SQLite format 3\x00")
    assert all(name in watch.moved for name in backups)  # each became a backup in one step


async def _backups_with_signers(app: BotApp, tg: FakeTelegram, clock: Clock, hours: int) -> None:
    for number in range(3):
        await sign(tg.user(app, first_name=f"Signer{number}"), f"Signer Number{number}")
        assert await jobs.run_backup(app.runtime) is not None
        clock.advance(hours * 3600)
