"""Encryption of the files that leave the server with names in them, and the slow pseudonym base.

A backup or an export sent in clear text sits in the admin's Telegram cloud: one hijacked
account would yield every name. Encrypted to BACKUP_RECIPIENTS, it opens only with one of the
matching private keys, which never touch the server or Telegram.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import threading
from collections.abc import Iterator, Sequence
from typing import IO, BinaryIO

import pyrage
from argon2.low_level import Type, hash_secret_raw
from pyrage import x25519

SUFFIX = ".age"
HEADER = b"age-encryption.org/v1"  # the first bytes of every age file (binary, not armored)

Recipient = str | x25519.Recipient


def _keys(recipients: Sequence[Recipient]) -> list[x25519.Recipient]:
    if not recipients:
        raise ValueError("no age recipients to encrypt to")
    return [x25519.Recipient.from_str(r) if isinstance(r, str) else r for r in recipients]


@contextlib.contextmanager
def sealing(target: IO[bytes], recipients: Sequence[Recipient]) -> Iterator[BinaryIO]:
    """A writable stream whose bytes reach `target` only age-encrypted to `recipients`.

    pyrage encrypts from a readable stream, so the plaintext goes through a pipe (kernel
    memory, at most 64 KiB in flight) to a thread that encrypts it into `target`: no plaintext
    byte is ever written to a file. The stream is closed, and the encryption finished, on exit;
    an error on either side is raised here.
    """
    keys = _keys(recipients)
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def encrypt() -> None:
        with os.fdopen(read_end, "rb") as source:
            try:
                pyrage.encrypt_io(source, target, keys)  # type: ignore[arg-type]
            except BaseException as exc:  # handed to the writer's thread below
                failed.append(exc)

    worker = threading.Thread(target=encrypt, name="age-encrypt", daemon=True)
    worker.start()
    sink = os.fdopen(write_end, "wb")
    try:
        yield sink
    finally:
        with contextlib.suppress(BrokenPipeError):  # the encryption failed: raised below
            sink.close()
        worker.join()
    if failed:
        raise failed[0]


def one_time_key() -> x25519.Identity:
    """A key that exists only in this process's memory, for a temporary file nobody else
    must ever read (it is gone with the process, and with it the file's content)."""
    return x25519.Identity.generate()


def decrypt_into(source: IO[bytes], sink: IO[bytes], identity: x25519.Identity) -> None:
    """Streams the plaintext of the age file `source` into `sink`; blocking."""
    pyrage.decrypt_io(source, sink, [identity])  # type: ignore[arg-type]


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
