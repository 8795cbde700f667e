"""Fitting files into Telegram's 50 MB upload limit: zip them, and split what is still too big.

Parts are plain byte slices of the zip (`name.zip.001`, `.002`, ...): `cat name.zip.* > name.zip`
restores it on any system.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_UPLOAD = 50 * 1000 * 1000  # Telegram's limit for bots, with room for the multipart headers
_CHUNK = 1 << 20


def fit(path: Path, filename: str, limit: int | None = None) -> list[tuple[Path, str]]:
    """(file, name to send) pairs, each at most `limit` bytes."""
    limit = MAX_UPLOAD if limit is None else limit
    if path.stat().st_size <= limit:
        return [(path, filename)]
    zipped = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.write(path, arcname=filename)
    zip_name = filename + ".zip"
    if zipped.stat().st_size <= limit:
        return [(zipped, zip_name)]
    parts: list[tuple[Path, str]] = []
    with zipped.open("rb") as source:
        index = 1
        while True:
            part = zipped.with_name(f"{zipped.name}.{index:03d}")
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
            parts.append((part, f"{zip_name}.{index:03d}"))
            index += 1
    return parts
