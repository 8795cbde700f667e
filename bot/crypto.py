"""Encryption of the files that leave the server with names in them, and the slow pseudonym base.

A backup or an export sent in clear text sits in the admin's Telegram cloud: one hijacked
account would yield every name. Encrypted to BACKUP_RECIPIENTS, it opens only with one of the
matching private keys, which never touch the server or Telegram.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path

import pyrage
from argon2.low_level import Type, hash_secret_raw
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


def slow_base(key: bytes, fast_base: str, memory_kib: int, passes: int, lanes: int) -> str:
    """A person's pseudonym base: argon2id of their old base (HMAC of the Telegram id).

    Whoever holds the database and the key can still test a Telegram id, but each test now
    costs `memory_kib` of memory and `passes` over it instead of one HMAC, so enumerating the
    10^10 ids is a matter of core-years (README, "Threat model"). Releases the GIL: call it
    from a worker thread.
    """
    salt = hmac.new(key, b"petition-bot pseudonym salt v3", hashlib.sha256).digest()[:16]
    return hash_secret_raw(
        bytes.fromhex(fast_base),
        salt,
        time_cost=passes,
        memory_cost=memory_kib,
        parallelism=lanes,
        hash_len=32,
        type=Type.ID,
    ).hex()
