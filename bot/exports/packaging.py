"""Getting a file to an organiser: zipped when too big, encrypted when BACKUP_RECIPIENTS is set,
then split to fit Telegram's 50 MB upload limit (the file comes spooled: bot.exports.spool).

Zipping comes before encrypting, since encrypted bytes do not compress. Parts are plain byte
slices (`name.001`, `.002`, ...): `cat name.* > name` restores the file on any system.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot import crypto
from bot.exports.spool import Spool

MAX_UPLOAD = 50 * 1000 * 1000  # Telegram's limit for bots, with room for the multipart headers
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Package:
    files: list[tuple[Path, str]]  # (file, name to send), each at most the limit
    name: str  # what the parts join back into (the one file's name when there is one)
    zipped: bool  # `name` (after decryption) is a zip holding the original file
    encrypted: bool  # `name` is age-encrypted to the recipients


def fit(
    spool: Spool, filename: str, limit: int | None = None, recipients: Sequence[str] = ()
) -> Package:
    """The files to send for the spooled export; blocking (zip and encryption): run it in a
    thread. Zipping and encryption stream: no plaintext copy is written on the way."""
    limit = MAX_UPLOAD if limit is None else limit
    zipped = spool.size > limit
    name = filename + (".zip" if zipped else "")
    if zipped or recipients or spool.sealed:
        current = spool.path.with_name(spool.path.name + (".zip" if zipped else "") + ".out")
        _repack(spool, filename, current, zipped, recipients)
    else:
        current = spool.path
    if recipients:
        name += crypto.SUFFIX
    if current.stat().st_size <= limit:
        return Package([(current, name)], name, zipped, bool(recipients))
    return Package(_split(current, name, limit), name, zipped, bool(recipients))


def _repack(
    spool: Spool, filename: str, target: Path, zipped: bool, recipients: Sequence[str]
) -> None:
    """The spool's plaintext into `target`: zipped when asked, encrypted when there are
    recipients, both on the fly."""
    with target.open("xb") as file, contextlib.ExitStack() as stack:
        sink: IO[bytes] = file
        if recipients:
            sink = stack.enter_context(crypto.sealing(file, recipients))
        if zipped:
            archive = stack.enter_context(
                zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
            )
            sink = stack.enter_context(archive.open(filename, "w", force_zip64=True))
        spool.copy_to(sink)


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
