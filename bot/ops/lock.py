"""The lock file beside the database that says a petition-bot process is using it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class RunLock:
    """An advisory lock beside the database, held by a running bot and by a restore.

    A restore must not write where a bot is running, and two bots must not share a database
    (both would answer the same people).
    """

    def __init__(self, database_path: Path) -> None:
        self.path = Path(f"{database_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
