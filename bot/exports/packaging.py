"""Getting a file to an organiser: zipped when too big, encrypted when BACKUP_RECIPIENTS is set,
then split to fit Telegram's 50 MB upload limit.

Zipping comes before encrypting, since encrypted bytes do not compress. Parts are plain byte
slices (`name.001`, `.002`, ...): `cat name.* > name` restores the file on any system.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import crypto

MAX_UPLOAD = 50 * 1000 * 1000  # Telegram's limit for bots, with room for the multipart headers
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Package:
    files: list[tuple[Path, str]]  # (file, name to send), each at most the limit
    name: str  # what the parts join back into (the one file's name when there is one)
    zipped: bool  # `name` (after decryption) is a zip holding the original file
    encrypted: bool  # `name` is age-encrypted to the recipients


def fit(
    path: Path, filename: str, limit: int | None = None, recipients: Sequence[str] = ()
) -> Package:
    """The files to send for `path`; blocking (zip and encryption): run it in a thread."""
    limit = MAX_UPLOAD if limit is None else limit
    current, name = path, filename
    zipped = path.stat().st_size > limit
    if zipped:
        current, name = current.with_name(current.name + ".zip"), name + ".zip"
        with zipfile.ZipFile(current, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            zf.write(path, arcname=filename)
    if recipients:
        sealed = current.with_name(current.name + crypto.SUFFIX)
        crypto.encrypt_file(current, sealed, recipients)
        current, name = sealed, name + crypto.SUFFIX
    if current.stat().st_size <= limit:
        return Package([(current, name)], name, zipped, bool(recipients))
    return Package(_split(current, name, limit), name, zipped, bool(recipients))


def _split(path: Path, name: str, limit: int) -> list[tuple[Path, str]]:
    parts: list[tuple[Path, str]] = []
    with path.open("rb") as source:
        index = 1
        while True:
            part = path.with_name(f"{path.name}.{index:03d}")
            written = 0
            with part.open("wb") as out:
                while written < limit:
                    chunk = source.read(min(_CHUNK, limit - written))
                    if not chunk:
                        break
                    out.write(chunk)
                    written += len(chunk)
            if written == 0:
                part.unlink()
                break
            parts.append((part, f"{name}.{index:03d}"))
            index += 1
    return parts
