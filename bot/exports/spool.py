"""Where an export or a /backup copy waits on the server before it is packaged for Telegram.

With BACKUP_RECIPIENTS set, the file on disk is age-encrypted from its first byte to a one-time
key that exists only in this object (bot.crypto.one_time_key): whatever the disk keeps of it
after deletion (free blocks, a snapshot) is ciphertext, and the key is gone with the process.
Packaging then streams the plaintext out of it (zipped when too big) straight into the
encryption to the recipients. Without recipients it is a plain file, as the README says.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO, cast

from bot import crypto


class _Counting(io.RawIOBase):
    """Passes bytes on to `target` and counts them (the plaintext size decides zipping)."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._target.write(data)
        self.count += len(data)
        return len(data)


class Spool:
    """A temporary file of plaintext `size` bytes, sealed to a one-time key when `sealed`."""

    def __init__(self, path: Path, sealed: bool) -> None:
        self.path = path
        self.size = 0
        self._key = crypto.one_time_key() if sealed else None

    @property
    def sealed(self) -> bool:
        return self._key is not None

    @contextlib.contextmanager
    def writer(self) -> Iterator[BinaryIO]:
        """A binary stream to write the plaintext to, once (the file must not exist yet)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file, contextlib.ExitStack() as stack:
            target: BinaryIO = file
            if self._key is not None:
                target = stack.enter_context(crypto.sealing(file, [self._key.to_public()]))
            counting = _Counting(target)
            buffered = io.BufferedWriter(cast(io.RawIOBase, counting), 1 << 16)
            try:
                yield cast(BinaryIO, buffered)
            finally:
                buffered.flush()
                self.size = counting.count
                buffered.detach()

    def fill(self, data: bytes) -> None:
        """`writer` for content already in memory; blocking."""
        with self.writer() as out:
            out.write(data)

    def copy_to(self, sink: IO[bytes]) -> None:
        """Streams the plaintext into `sink`, decrypting a sealed spool; blocking."""
        with self.path.open("rb") as source:
            if self._key is None:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
            else:
                crypto.decrypt_into(source, sink, self._key)
