"""The signer key and the database belong together: a fingerprint proves it at every start.

Without it, a bot restarted with another key (or a lost key file replaced by a new one) would
start normally and every signer would become a stranger: signing twice, finding nothing to
withdraw, blocks forgotten. The data steps that move rows to new pseudonyms run here too,
because they need the key.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.domain.signatures import NEW_KEY, Pseudonyms, key_fingerprint
from bot.storage import admin as admin_store
from bot.storage.engine import Database

FINGERPRINT = "signer_key_fingerprint"


class SignerKeyError(Exception):
    """The key does not fit the database; the bot must not start (exit 2)."""


def _holds_people(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return any(
        table in tables and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        for table in ("signatures", "signers", "subscriptions", "blocks", "preferences")
    )


def database_needs_its_key(path: Path) -> bool:
    """True when the database file exists and holds anything made with a key (read-only)."""
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return True  # unreadable now: assume the worst rather than make a new key
    try:
        return _holds_people(conn)
    except sqlite3.Error:
        return True
    finally:
        conn.close()


async def check_signer_key(db: Database, key: bytes) -> None:
    """Refuses a key that is not this database's; records the fingerprint the first time."""
    if not key:  # a start-up that skipped bot/ops/signer_key.py must not key anyone with b""
        raise SignerKeyError("no signer key was loaded: set SIGNER_KEY or SIGNER_KEY_FILE")

    def work(conn: sqlite3.Connection) -> None:
        mine = key_fingerprint(key)
        row = conn.execute("SELECT value FROM bot_state WHERE key = ?", (FINGERPRINT,)).fetchone()
        if row is not None:
            if row[0] != mine:
                raise SignerKeyError(
                    "the signer key is not the one this database was made with (fingerprint "
                    f"{mine[:8]}, the database expects {str(row[0])[:8]}): start with the "
                    "original SIGNER_KEY or key file; see README, 'Moving to a new server'"
                )
            return
        if not _holds_people(conn) and not NEW_KEY.fullmatch(key):
            raise SignerKeyError(
                "SIGNER_KEY must be 64 hex digits for a new database "
                "(make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        conn.execute("INSERT INTO bot_state (key, value) VALUES (?, ?)", (FINGERPRINT, mine))

    await db.atomic(work)
    moved = await db.atomic(lambda conn: move_to_per_campaign_pseudonyms(conn, Pseudonyms(key)))
    rekeyed = await db.atomic(lambda conn: admin_store.rekey_audit(conn, key))
    if moved is not None or rekeyed:
        await db.purge_wal()  # the old pseudonyms and raw ids must not survive in the journal


def move_to_per_campaign_pseudonyms(conn: sqlite3.Connection, ids: Pseudonyms) -> int | None:
    """Data step after 0004: every row gets the pseudonym of its purpose; `signers` goes.

    Old rows carry the base id (HMAC of the Telegram id), from which every new pseudonym is
    derived, so this needs the key but not the ids. Runs once: it ends by dropping `signers`.
    Returns the number of signatures moved, or None when there was nothing left to do.
    """
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signers'"
    ).fetchone()
    if exists is None:
        return None  # done before
    now = int(time.time())
    signatures = conn.execute(
        "SELECT number, campaign, signer FROM signatures"
        " WHERE seal IS NULL AND signer NOT LIKE 'anonymised:%'"
    ).fetchall()
    conn.executemany(
        "UPDATE signatures SET signer = ?, seal = ? WHERE number = ?",
        [
            (ids.derive(f"signature:{campaign}", base), ids.seal_base(base), number)
            for number, campaign, base in signatures
        ],
    )
    subscriptions = conn.execute(
        "SELECT s.campaign, s.signer, p.language FROM subscriptions s"
        " LEFT JOIN signers p ON p.signer = s.signer"
    ).fetchall()
    conn.executemany(
        "UPDATE subscriptions SET signer = ?, language = ? WHERE campaign = ? AND signer = ?",
        [
            (ids.derive(f"signature:{campaign}", base), language, campaign, base)
            for campaign, base, language in subscriptions
        ],
    )
    drafts = conn.execute(
        "SELECT d.person, p.last_source FROM drafts d"
        " LEFT JOIN signers p ON p.signer = d.person AND p.last_campaign = d.campaign"
    ).fetchall()
    conn.executemany(
        "UPDATE drafts SET person = ?, source = ? WHERE person = ?",
        [(ids.derive("person", base), source, base) for base, source in drafts],
    )
    people = conn.execute("SELECT signer, language, blocked FROM signers").fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO preferences (person, language, touched_at) VALUES (?, ?, ?)",
        [(ids.derive("person", base), lang, now) for base, lang, _ in people if lang],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO blocks (block, at) VALUES (?, ?)",
        [(ids.block_of(base), now) for base, _, blocked in people if blocked],
    )
    conn.execute("DROP TABLE signers")
    return len(signatures)
