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
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import crypto
from bot.config import BACKUP_JOB_EVERY

if TYPE_CHECKING:
    from bot.core.services import Services
    from bot.telegram.context import BotApp, BotContext

log = logging.getLogger(__name__)

PREFIX = "petition-bot-"
_NAME = re.compile(r"petition-bot-(\d{8}T\d{6}Z)\.sqlite3(\.age)?")
_STAMP = "%Y%m%dT%H%M%SZ"
LEDGER = "erasures.json"
MADE_AT = "backup_made_at"  # bot_state key written into each copy (never into the live db)


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


def _stamp_copy(path: Path, at: int) -> None:
    """Marks the copy with its time and makes it one self-contained file (no WAL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()
        conn.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (MADE_AT, str(at)),
        )
    finally:
        conn.close()


def _finish(partial: Path, target: Path, recipients: tuple[str, ...]) -> None:
    """Encrypts (or not) the stamped copy into place; blocking, run in a worker thread."""
    if recipients:
        sealed = partial.with_name(partial.name + crypto.SUFFIX)
        crypto.encrypt_file(partial, sealed, recipients)
        partial.unlink()
        partial = sealed
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    partial.chmod(0o600)
    partial.replace(target)
    fsync_dir(target.parent)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups; returns what it deleted."""
    gone = [path for _, path in list_backups(folder)[keep:]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _remove_partials(folder: Path) -> None:
    """A backup interrupted by a crash leaves a plaintext partial copy: it goes first."""
    with contextlib.suppress(FileNotFoundError):
        for path in folder.glob(".partial-*"):
            path.unlink(missing_ok=True)


async def make_backup(svc: Services, folder: Path, at: int) -> Path:
    """One backup in `folder`, encrypted when BACKUP_RECIPIENTS is set; returns its path."""
    private_folder(folder)
    _remove_partials(folder)
    recipients = svc.settings.backup_recipients
    target = folder / backup_name(at, bool(recipients))
    partial = folder / f".partial-{target.name.removesuffix(crypto.SUFFIX)}"
    try:
        await svc.db.backup_to(str(partial))
        await asyncio.to_thread(_stamp_copy, partial, at)
        await asyncio.to_thread(_finish, partial, target, recipients)
    finally:
        _remove_partials(folder)
    return target


# -- the erasure watermark ---------------------------------------------------------------


@dataclass(frozen=True)
class Watermark:
    """How many erasures (withdrawals, removals) a database has counted, and the newest hour."""

    erasures: int
    last_hour: int | None  # unix seconds // 3600

    def describe(self) -> str:
        if self.last_hour is None:
            return "no erasure"
        when = datetime.fromtimestamp(self.last_hour * 3600, UTC).strftime("%Y-%m-%d %H:00")
        return f"{self.erasures} erasures, the last in the hour from {when} UTC"


def watermark_of(conn: sqlite3.Connection) -> Watermark:
    erasures = conn.execute("SELECT COALESCE(SUM(withdrawals), 0) FROM counters").fetchone()[0]
    hour = conn.execute("SELECT MAX(hour) FROM activity WHERE withdrawn > 0").fetchone()[0]
    return Watermark(int(erasures), int(hour) if hour is not None else None)


async def live_watermark(svc: Services) -> Watermark:
    erasures = await svc.db.scalar("SELECT COALESCE(SUM(withdrawals), 0) FROM counters", (), 0)
    hour = await svc.db.scalar("SELECT MAX(hour) FROM activity WHERE withdrawn > 0")
    return Watermark(int(erasures), int(hour) if hour is not None else None)


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


async def run_scheduled(app: BotApp) -> Path | None:
    """Refreshes the erasure ledger; makes and rotates a backup when one is due.

    Returns the new backup, or None when none was due (or it failed: logged, counted, and
    the older backups stay).
    """
    svc: Services = app.bot_data["services"]
    settings = svc.settings
    folder = settings.backup_dir
    if folder is None:
        return None
    metrics = app.bot_data.get("metrics")
    now = svc.now()
    try:
        write_ledger(folder, await live_watermark(svc), now)
    except (OSError, sqlite3.Error) as exc:
        log.warning("could not record the erasure watermark: %s", exc.__class__.__name__)
    newest = newest_backup(folder)
    if (
        newest is not None
        and now - newest < settings.backup_every_hours * 3600 - BACKUP_JOB_EVERY / 2
    ):
        return None
    try:
        path = await make_backup(svc, folder, now)
    except Exception as exc:
        log.error("scheduled backup failed (%s); the older backups are kept", exc)
        if metrics is not None:
            metrics.backup_done(False)
        return None
    gone = rotate(folder, settings.backup_keep)
    if metrics is not None:
        metrics.backup_done(True, now)
    log.info("backup %s made; %d older ones rotated out", path.name, len(gone))
    return path


async def backup_job(context: BotContext) -> None:
    app: BotApp = context.application  # type: ignore[assignment]
    await run_scheduled(app)


def schedule(app: BotApp) -> None:
    services: Services = app.bot_data["services"]
    folder = services.settings.backup_dir
    if folder is None or app.job_queue is None:
        return
    newest = newest_backup(folder)
    metrics = app.bot_data.get("metrics")
    if newest is not None and metrics is not None:
        metrics.backup_found(newest)
    app.job_queue.run_repeating(backup_job, interval=BACKUP_JOB_EVERY, first=30, name="backup")


# -- restore -----------------------------------------------------------------------------
