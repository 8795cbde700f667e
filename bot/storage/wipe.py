"""Overwriting a file's bytes with zeros before it is truncated or deleted.

Truncating or deleting a file frees its blocks without touching them: a raw read of the disk
still finds the old bytes until something happens to reuse them. Writing zeros over the file
in place, and syncing, replaces them on filesystems that overwrite in place (ext4, XFS). It
cannot reach what software does not see (README, "Threat model"): copies an SSD's wear
levelling keeps, copy-on-write filesystems (btrfs, ZFS), and the hoster's snapshots.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_ZEROS = bytes(1 << 20)


def zero_file(path: Path) -> int:
    """Overwrites every byte of `path` with zeros and syncs; the bytes zeroed (0 if absent).

    Blocking: run it in a worker thread.
    """
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return 0
    try:
        size = os.fstat(fd).st_size
        done = 0
        while done < size:
            done += os.pwrite(fd, _ZEROS[: min(len(_ZEROS), size - done)], done)
        os.fsync(fd)
        return size
    finally:
        os.close(fd)


def shred(path: Path) -> None:
    """Zeroes `path`, then deletes it; nothing happens when it does not exist."""
    with contextlib.suppress(FileNotFoundError):
        zero_file(path)
        path.unlink()
