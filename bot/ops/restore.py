"""`petition-bot restore`: a backup back into an empty data directory, after checking it.

It refuses rather than guesses: an existing database or a running bot (the lock file), an
encrypted file without the organiser's identity (read for this command only, never kept), a
file that fails SQLite's integrity check, a schema newer than the code, another signer key's
fingerprint, and a backup older than the last recorded erasure unless told `--accept-older`
(see bot.ops.backups for the erasure ledger).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
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

from bot.domain.signatures import key_fingerprint
from bot.ops.backups import MADE_AT, Watermark, fsync_dir, private_folder, read_ledger, watermark_of
from bot.storage import keys
from bot.storage.sqlite import migration_files

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

_SQLITE = b"SQLite format 3\x00"
_AGE = (b"age-encryption.org/v1", b"-----BEGIN AGE ENCRYPTED FILE-----")


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
        private_folder(self.path.parent)
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
        expected = state.get(keys.FINGERPRINT)
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
    private_folder(folder)
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
            fsync_dir(folder)
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
