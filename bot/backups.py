"""Scheduled backups that restore, and `petition-bot restore`.

A backup is a consistent online copy of the database (SQLite's backup API, step-wise, so an
erasure's checkpoint is never held up), stamped with the time it was made, encrypted to
BACKUP_RECIPIENTS when set and rotated so only the newest BACKUP_KEEP remain. The signer key
is never in it: the key lives outside the database, and a restore checks the backup's key
fingerprint against the key configured on the new server.

Erasure and backups pull against each other: a name withdrawn today survives in older
backups until they rotate out (`backup_window_days`), and restoring an old backup would bring
it back. So each run of the job also writes the live database's erasure watermark (how many
withdrawals and removals it has ever counted, and the newest hour one happened in: the
`counters` and `activity` tables, which outlive the erased rows) to `erasures.json` in
BACKUP_DIR, outside the database, where a restore finds it after the database is gone.
A backup that counts fewer erasures than that is older than the last erasure, and is refused
unless the organiser says `--accept-older`. The watermark is at most one job run (ten
minutes) behind; opt-outs ("Stop updates", /stop) leave no count, so for them the restore can
only warn.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import math
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyrage
from pyrage import x25519

from bot import crypto
from bot.domain.signatures import key_fingerprint
from bot.storage import admin as admin_store
from bot.storage.db import migration_files

if TYPE_CHECKING:
    from bot.services import BotApp, BotContext, Services
    from bot.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "petition-bot-"
_NAME = re.compile(r"petition-bot-(\d{8}T\d{6}Z)\.sqlite3(\.age)?")
_STAMP = "%Y%m%dT%H%M%SZ"
LEDGER = "erasures.json"
MADE_AT = "backup_made_at"  # bot_state key written into each copy (never into the live db)
FINGERPRINT = "signer_key_fingerprint"
JOB_EVERY = 600  # seconds between checks whether a backup is due (and ledger refreshes)
_SQLITE = b"SQLite format 3\x00"
_AGE = (b"age-encryption.org/v1", b"-----BEGIN AGE ENCRYPTED FILE-----")


def backup_window_days(settings: Settings) -> int | None:
    """Days a withdrawn name may remain in scheduled backups; None when they are off.

    A withdrawal is in every backup made after it. The older ones rotate out once BACKUP_KEEP
    newer backups exist, i.e. at most BACKUP_KEEP × BACKUP_EVERY_HOURS after the withdrawal
    (plus the job's ten-minute check). Rotation happens only after a backup succeeds, so a
    run of failed backups lengthens this; /healthz and /metrics report that.
    """
    if settings.backup_dir is None:
        return None
    hours = settings.backup_keep * settings.backup_every_hours + JOB_EVERY / 3600
    return math.ceil(hours / 24)


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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private_folder(folder: Path) -> None:
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
    _fsync_dir(target.parent)


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
    _private_folder(folder)
    _remove_partials(folder)
    recipients = svc.settings.backup_recipients
    target = folder / backup_name(at, bool(recipients))
    partial = folder / f".partial-{target.name.removesuffix(crypto.SUFFIX)}"
    try:
        await admin_store.backup_to(svc.db, partial)
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
    _private_folder(folder)
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
    if newest is not None and now - newest < settings.backup_every_hours * 3600 - JOB_EVERY / 2:
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
    app.job_queue.run_repeating(backup_job, interval=JOB_EVERY, first=30, name="backup")


# -- restore -----------------------------------------------------------------------------


class RestoreError(Exception):
    """The backup cannot be restored here; the message is one line for the organiser."""


class DatabaseLock:
    """An advisory lock beside the database, held by a running bot and by a restore.

    A restore must not write where a bot is running, and two bots must not share a database
    (both would answer the same people).
    """

    def __init__(self, database_path: Path) -> None:
        self.path = Path(f"{database_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        _private_folder(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def database_lock(database_path: Path) -> Iterator[None]:
    """Holds the lock, or raises RestoreError naming what holds it."""
    lock = DatabaseLock(database_path)
    if not lock.acquire():
        raise RestoreError(
            f"a petition-bot process (the bot, or another restore) is using {database_path}: "
            "stop it first (systemctl stop petition-bot)"
        )
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class BackupFacts:
    made_at: int | None
    schema_version: int
    signatures: int
    campaigns: int
    mark: Watermark

    def when(self) -> str:
        if self.made_at is None:
            return "at an unknown time (not a scheduled backup)"
        return datetime.fromtimestamp(self.made_at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _copy_stream(source: IO[bytes], target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)


def _identities(text: str, where: str) -> list[x25519.Identity]:
    keys = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                keys.append(x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                raise RestoreError(f"{where} holds a line that is not an age identity") from None
    if not keys:
        raise RestoreError(f"{where} holds no age identity (AGE-SECRET-KEY-1…)")
    return keys


def _read_identities(identity: str, stdin: IO[bytes]) -> list[x25519.Identity]:
    if identity == "-":
        return _identities(stdin.read().decode("utf-8", "replace"), "standard input")
    try:
        text = Path(identity).read_text(encoding="utf-8")
    except OSError as exc:
        raise RestoreError(f"cannot read the identity file {identity}: {exc.strerror}") from None
    return _identities(text, identity)


def inspect_backup(path: Path, key: bytes) -> BackupFacts:
    """Integrity, schema version and signer-key fingerprint of a plaintext backup."""
    with open(path, "rb") as fh:
        if fh.read(len(_SQLITE)) != _SQLITE:
            raise RestoreError("the file is neither a SQLite database nor age-encrypted")
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise RestoreError(f"the backup cannot be opened: {exc}") from None
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()  # a /backup copy is WAL-marked
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise RestoreError(f"the backup is damaged (integrity check: {problems[0]})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"schema_migrations", "bot_state", "counters", "signatures"} <= tables:
            raise RestoreError("the file is a SQLite database but not a petition-bot backup")
        version = int(conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])
        known = migration_files()[-1][0]
        if version > known:
            raise RestoreError(
                f"the backup is at schema version {version}, newer than this bot knows "
                f"({known}): install the release that made it, then restore"
            )
        state = dict(conn.execute("SELECT key, value FROM bot_state").fetchall())
        expected = state.get(FINGERPRINT)
        mine = key_fingerprint(key)
        if expected is None:
            raise RestoreError(
                "the backup records no signer-key fingerprint, so the key cannot be checked: "
                "start the old release on it once, then back it up again"
            )
        if expected != mine:
            raise RestoreError(
                f"the backup was made with another signer key (fingerprint {expected[:8]}, "
                f"the configured key is {mine[:8]}): configure the original key "
                "(README, 'The signer key')"
            )
        made = state.get(MADE_AT)
        signatures = conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
        campaigns = conn.execute("SELECT COUNT(DISTINCT campaign) FROM signatures").fetchone()[0]
        return BackupFacts(
            made_at=int(made) if made is not None else None,
            schema_version=version,
            signatures=int(signatures),
            campaigns=int(campaigns),
            mark=watermark_of(conn),
        )
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"the backup is damaged or not a database: {exc}") from None
    finally:
        conn.close()


def _forget_backup_time(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DELETE FROM bot_state WHERE key = ?", (MADE_AT,))
    finally:
        conn.close()


def _database_files(target: Path) -> list[Path]:
    return [
        p for p in (Path(f"{target}{s}") for s in ("", "-wal", "-shm", "-journal")) if p.exists()
    ]


def restore(
    settings: Settings,
    source: str,
    *,
    identity: str | None = None,
    accept_older: bool = False,
    stdin: IO[bytes] | None = None,
) -> tuple[BackupFacts, list[str]]:
    """Checks a backup and puts it where DATABASE_PATH says; returns its facts and warnings.

    `source` is a path or "-" (standard input, e.g. the output of `age -d`). Encrypted
    backups need `identity` (a path, or "-"): it is read for this command only and never
    written anywhere. Nothing is written to the target until every check has passed, and the
    database appears there in one step.
    """
    stdin = stdin if stdin is not None else sys.stdin.buffer
    if source == "-" and identity == "-":
        raise RestoreError("the backup and the identity cannot both come from standard input")
    if not settings.signer_key:
        raise RestoreError(
            "no signer key is configured: set SIGNER_KEY or SIGNER_KEY_FILE to the key the "
            "backup was made with (it is never inside a backup; README, 'The signer key')"
        )
    target = settings.database_path
    folder = target.parent
    _private_folder(folder)
    with database_lock(target):
        existing = _database_files(target)
        if existing:
            raise RestoreError(
                f"{existing[0]} exists: a restore goes only into an empty data directory "
                "(stop the bot and move the old database away, or set another DATABASE_PATH)"
            )
        work = folder / f".restore-{os.getpid()}"
        plain = folder / f".restore-{os.getpid()}.sqlite3"
        try:
            if source == "-":
                _copy_stream(stdin, work)
                raw = work
            else:
                raw = Path(source)
                if not raw.is_file():
                    raise RestoreError(f"the backup {source} is not a readable file")
            with open(raw, "rb") as fh:
                head = fh.read(64)
            if head.startswith(_AGE):
                if identity is None:
                    raise RestoreError(
                        "the backup is encrypted: pass --identity PATH (your age key file), or "
                        "pipe the decrypted file in: age -d -i key.txt FILE | petition-bot "
                        "restore -"
                    )
                keys = _read_identities(identity, stdin)
                try:
                    pyrage.decrypt_file(str(raw), str(plain), keys)
                except pyrage.DecryptError:
                    raise RestoreError(
                        "the backup cannot be decrypted with that identity: it was encrypted "
                        "to other keys (BACKUP_RECIPIENTS when it was made)"
                    ) from None
                plain.chmod(0o600)
            elif raw == work:
                work.rename(plain)
            else:
                with open(raw, "rb") as fh:
                    _copy_stream(fh, plain)
            facts = inspect_backup(plain, settings.signer_key)
            ledger = read_ledger(settings.backup_dir) if settings.backup_dir else None
            if ledger is not None and facts.mark.erasures < ledger.erasures and not accept_older:
                raise RestoreError(
                    f"the backup is older than the last erasure this bot recorded (it counts "
                    f"{facts.mark.erasures} erasures, the live database counted "
                    f"{ledger.describe()}): restoring it would bring back names people "
                    "withdrew. Restore a newer backup, or pass --accept-older if there is none "
                    "(then erase those names again)"
                )
            _forget_backup_time(plain)  # the live database is not a backup
            try:
                os.link(plain, target)  # one step, and never over a database that appeared
            except FileExistsError:
                raise RestoreError(
                    f"{target} appeared while restoring: nothing was changed"
                ) from None
            _fsync_dir(folder)
        finally:
            work.unlink(missing_ok=True)
            plain.unlink(missing_ok=True)
    warnings = [
        f"warning: this backup holds the data as of {facts.when()}: withdrawals, removals and "
        "opt-outs made after that are not in it, so those names and ids are back; never "
        "restore an old backup over a newer database"
    ]
    if ledger is None:
        warnings.append(
            "warning: no erasure record was found (BACKUP_DIR/erasures.json), so this could "
            "not check that the backup is newer than the last withdrawal"
        )
    elif facts.mark.erasures < ledger.erasures:
        warnings.append(
            f"warning: restored although older than the last erasure (--accept-older): "
            f"{ledger.erasures - facts.mark.erasures} withdrawals or removals are undone"
        )
    return facts, warnings
