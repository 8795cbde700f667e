"""Counts spread over rows (migrations/0026): which row of a count a write adds to.

On PostgreSQL signers of one campaign write side by side, and a row that each of them updated
would make every signature wait for the previous one's COMMIT. So every count a signature, a
visit or a draft step moves (the signature count, the hourly activity, the funnel, the
sources' counts) is kept in SHARDS rows and read as their sum; a write adds to the row its
key (a pseudonym or a person's keyed hash, never an id) picks. The same key always picks the
same row, so a withdrawal usually subtracts where its signature added.
"""

from __future__ import annotations

import zlib

SHARDS = 16


def shard_of(key: str) -> int:
    """The row of a count that `key`'s writes add to."""
    return zlib.crc32(key.encode()) % SHARDS
