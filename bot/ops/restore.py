"""`petition-bot restore`: a backup back into an empty data directory, after checking it.

It refuses rather than guesses (and a refused backup's decrypted copy is zeroed, not only
deleted): an existing database or a running bot (the lock file), an
encrypted file without the organiser's identity (read for this command only, never kept), a
file that fails SQLite's integrity check, a schema newer than the code, another signer key's
fingerprint, and a backup older than the last recorded erasure unless told `--accept-older`
(see bot.ops.backups for the erasure ledger).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyrage
from pyrage import x25519

from bot.domain.signatures import key_fingerprint
from bot.ops.backups import fsync_dir, private_folder, read_ledger
from bot.ops.lock import RunLock
from bot.storage import backup_file
from bot.storage.backup_file import BackupFileError, FileFacts, Watermark
from bot.storage.sqlite import migration_files
from bot.storage.wipe import shred

if TYPE_CHECKING:
    from bot.config import Settings


_AGE = (b"age-encryption.org/v1", b"-----BEGIN AGE ENCRYPTED FILE-----")


class RestoreError(Exception):
    """The backup cannot be restored here; the message is one line for the organiser."""


@contextlib.contextmanager
def database_lock(database_path: Path) -> Iterator[None]:
    """Holds the lock, or raises RestoreError naming what holds it."""
    lock = RunLock(database_path)
    if not lock.acquire():
        raise RestoreError(
            f"a petition-bot process (the bot, or another restore) is using {database_path}: "
            "stop it first (systemctl stop petition-bot)"
        )
    try:
        yield
    finally:
        lock.release()


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


def inspect_backup(path: Path, key: bytes) -> FileFacts:
    """Integrity, schema version and signer-key fingerprint of a plaintext backup."""
    if not backup_file.is_sqlite(path):
        raise RestoreError("the file is neither a SQLite database nor age-encrypted")
    try:
        facts = backup_file.read_facts(path)
    except BackupFileError as exc:
        raise RestoreError(str(exc)) from None
    known = migration_files()[-1][0]
    if facts.schema_version > known:
        raise RestoreError(
            f"the backup is at schema version {facts.schema_version}, newer than this bot knows "
            f"({known}): install the release that made it, then restore"
        )
    expected, mine = facts.fingerprint, key_fingerprint(key)
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
    return facts


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
) -> tuple[FileFacts, list[str]]:
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
        restored = False
        try:
            _plaintext_copy(source, identity, stdin, work, plain)
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
            backup_file.forget_stamp(plain)  # the live database is not a backup
            try:
                os.link(plain, target)  # one step, and never over a database that appeared
            except FileExistsError:
                raise RestoreError(
                    f"{target} appeared while restoring: nothing was changed"
                ) from None
            restored = True
            fsync_dir(folder)
        finally:
            # A refused backup leaves nothing of it in clear: its decrypted copy is zeroed
            # before it is deleted (bot.storage.wipe). A restored one is the live database.
            shred(work)
            if restored:
                plain.unlink(missing_ok=True)
            else:
                shred(plain)
    return facts, _warnings(facts, ledger)


def _plaintext_copy(
    source: str, identity: str | None, stdin: IO[bytes], work: Path, plain: Path
) -> None:
    """The backup, decrypted when it is age-encrypted, as the private file `plain`."""
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


def _warnings(facts: FileFacts, ledger: Watermark | None) -> list[str]:
    """What the organiser must know about what this restore brought back."""
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
    return warnings
