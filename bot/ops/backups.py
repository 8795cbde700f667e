"""Scheduled backups that restore (the restore itself is bot.ops.restore).

A backup is a consistent online copy of the database (SQLite's backup API, step-wise, so an
erasure's checkpoint is never held up), stamped with the time it was made, encrypted to
BACKUP_RECIPIENTS when set and rotated so only the newest BACKUP_KEEP remain. The signer key
is never in it: the key lives outside the database, and a restore checks the backup's key
fingerprint against the key configured on the new server.

Erasure and backups pull against each other: a name withdrawn today survives in older backups
until they rotate out (`bot.config.backup_window_days`), and restoring an old backup would
bring it back. So each run of the job also writes the live database's erasure watermark (how
many withdrawals and removals it has ever counted, and the newest hour one happened in: the
`counters` and `activity` tables, which outlive the erased rows) to `erasures.json` in
BACKUP_DIR, outside the database, where a restore finds it after the database is gone. A backup
that counts fewer erasures than that is older than the last erasure, and is refused unless the
organiser says `--accept-older`. The watermark is at most one job run (ten minutes) behind;
opt-outs ("Stop updates", /stop) leave no count, so for them the restore can only warn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bot import crypto
from bot.config import BACKUP_JOB_EVERY
from bot.storage import backup_file
from bot.storage.backup_file import Watermark
from bot.storage.sqlite import DatabaseError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.storage import Database

log = logging.getLogger(__name__)

PREFIX = "petition-bot-"
_NAME = re.compile(r"petition-bot-(\d{8}T\d{6}Z)\.sqlite3(\.age)?")
_STAMP = "%Y%m%dT%H%M%SZ"
LEDGER = "erasures.json"


# -- the folder of backups ----------------------------------------------------------------


def backup_name(at: int, encrypted: bool) -> str:
    stamp = datetime.fromtimestamp(at, UTC).strftime(_STAMP)
    return f"{PREFIX}{stamp}.sqlite3" + (crypto.SUFFIX if encrypted else "")


def list_backups(folder: Path) -> list[tuple[int, Path]]:
    """(unix time, path) of every backup in the folder, newest first."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for path in folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match:
                at = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
                found.append((int(at.timestamp()), path))
    return sorted(found, reverse=True)


def newest_backup(folder: Path) -> int | None:
    backups = list_backups(folder)
    return backups[0][0] if backups else None


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write(image: bytes, partial: Path, target: Path, recipients: tuple[str, ...]) -> None:
    """The copy into place, encrypted as it is written when there are recipients (so not one
    plaintext byte reaches the disk); blocking, run in a worker thread."""
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        with contextlib.ExitStack() as stack:
            sink: BinaryIO = file
            if recipients:
                sink = stack.enter_context(crypto.sealing(file, recipients))
            sink.write(image)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(target)
    fsync_dir(target.parent)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups; returns what it deleted."""
    gone = [path for _, path in list_backups(folder)[keep:]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _remove_partials(folder: Path) -> None:
    """A backup interrupted by a crash leaves a partial copy: it goes first."""
    with contextlib.suppress(FileNotFoundError):
        for path in folder.glob(".partial-*"):
            path.unlink(missing_ok=True)


async def make_backup(db: Database, recipients: tuple[str, ...], folder: Path, at: int) -> Path:
    """One backup in `folder`, encrypted when BACKUP_RECIPIENTS is set; returns its path.

    The copy is made in memory (SqliteDatabase.backup_image) and encrypted on its way to the
    file: with recipients, every file this creates in BACKUP_DIR is age from its first byte.
    """
    private_folder(folder)
    _remove_partials(folder)
    target = folder / backup_name(at, bool(recipients))
    partial = folder / f".partial-{target.name}"
    try:
        image = await db.backup_image(backup_file.stamper(at))
        await asyncio.to_thread(_write, image, partial, target, recipients)
    finally:
        _remove_partials(folder)
    return target


# -- the erasure watermark ---------------------------------------------------------------


def write_ledger(folder: Path, mark: Watermark, at: int) -> None:
    private_folder(folder)
    body = {"erasures": mark.erasures, "last_hour": mark.last_hour, "recorded_at": at}
    partial = folder / f".{LEDGER}.new"
    partial.write_text(json.dumps(body) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(folder / LEDGER)


def read_ledger(folder: Path) -> Watermark | None:
    try:
        body = json.loads((folder / LEDGER).read_text(encoding="utf-8"))
        hour = body.get("last_hour")
        return Watermark(int(body["erasures"]), int(hour) if hour is not None else None)
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- the scheduled job -------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    """What one run of the backup job did: a new backup, nothing due, or a failure."""

    path: Path | None = None
    failed: bool = False


async def run_scheduled(db: Database, settings: Settings, now: int) -> Scheduled:
    """Refreshes the erasure ledger; makes and rotates a backup when one is due.

    A failure is logged and leaves the older backups in place.
    """
    folder = settings.backup_dir
    if folder is None:
        return Scheduled()
    try:
        write_ledger(folder, await backup_file.live_watermark(db), now)
    except (OSError, DatabaseError) as exc:
        log.warning("could not record the erasure watermark: %s", exc.__class__.__name__)
    newest = newest_backup(folder)
    if (
        newest is not None
        and now - newest < settings.backup_every_hours * 3600 - BACKUP_JOB_EVERY / 2
    ):
        return Scheduled()
    try:
        path = await make_backup(db, settings.backup_recipients, folder, now)
    except Exception as exc:
        log.error("scheduled backup failed (%s); the older backups are kept", exc)
        return Scheduled(failed=True)
    gone = rotate(folder, settings.backup_keep)
    log.info("backup %s made; %d older ones rotated out", path.name, len(gone))
    return Scheduled(path)


# -- restore -----------------------------------------------------------------------------
