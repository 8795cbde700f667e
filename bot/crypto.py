"""Encryption of the files that leave the server with names in them, to the organisers' age keys.

A backup or an export sent in clear text sits in the admin's Telegram cloud: one hijacked
account would yield every name. Encrypted to BACKUP_RECIPIENTS, it opens only with one of the
matching private keys, which never touch the server or Telegram.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyrage
from pyrage import x25519

SUFFIX = ".age"


def encrypt_file(source: Path, target: Path, recipients: Sequence[str]) -> None:
    """Writes `source` encrypted to every recipient (any one key opens it) as `target`.

    pyrage streams from file to file in chunks, so a large export never sits in memory.
    Blocking: call it from a worker thread.
    """
    if not recipients:
        raise ValueError("no age recipients to encrypt to")
    keys = [x25519.Recipient.from_str(recipient) for recipient in recipients]
    pyrage.encrypt_file(str(source), str(target), keys)
