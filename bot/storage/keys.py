"""The signer key and the database belong together: a fingerprint proves it at every start.

Without it, a bot restarted with another key (or a lost key file replaced by a new one) would
start normally and every signer would become a stranger: signing twice, finding nothing to
withdraw, blocks forgotten. The data steps that move rows to new pseudonyms run here too,
because they need the key.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bot.config import PseudonymCost
from bot.domain.signatures import NEW_KEY, Pseudonyms, key_fingerprint, signer_id
from bot.storage import admin as admin_store
from bot.storage.engine import Database

FINGERPRINT = "signer_key_fingerprint"
COST = "pseudonym_cost"  # the argon2id parameters every pseudonym was made with
LEGACY = "pseudonym_legacy"  # set when rows made before version 3 may remain


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


async def check_signer_key(db: Database, key: bytes, cost: PseudonymCost) -> bool:
    """Refuses a key that is not this database's; records the fingerprint the first time.

    Also records the pseudonym cost, refusing any other: pseudonyms made with one cost are not
    found with another, and a weaker one would weaken them. True while rows made before
    version 3 may remain (bot.core.upgrade moves them).
    """
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
    legacy = await db.atomic(lambda conn: _record_cost(conn, cost))
    moved = await db.atomic(lambda conn: move_to_per_campaign_pseudonyms(conn, Pseudonyms(key)))
    rekeyed = await db.atomic(lambda conn: admin_store.rekey_audit(conn, key))
    if moved is not None or rekeyed:
        await db.purge_wal()  # the old pseudonyms and raw ids must not survive in the journal
    return legacy


def _record_cost(conn: sqlite3.Connection, cost: PseudonymCost) -> bool:
    row = conn.execute("SELECT value FROM bot_state WHERE key = ?", (COST,)).fetchone()
    if row is None:
        if _holds_people(conn):  # made before version 3: its rows move in the background
            conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, '1')"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (LEGACY,),
            )
        conn.execute("INSERT INTO bot_state (key, value) VALUES (?, ?)", (COST, cost.text))
    elif row[0] != cost.text:
        recorded = PseudonymCost.parse(str(row[0]))
        weaker = recorded is None or cost.weaker_than(recorded)
        raise SignerKeyError(
            f"PSEUDONYM_COST {cost.text} is {'weaker than' if weaker else 'not'} the cost this "
            f"database's pseudonyms were made with ({row[0]}): set PSEUDONYM_COST={row[0]}"
        )
    return conn.execute("SELECT 1 FROM bot_state WHERE key = ?", (LEGACY,)).fetchone() is not None


async def come_back(
    db: Database, ids: Pseudonyms, fast: str, slow: str, campaigns: Sequence[str]
) -> int:
    """Moves one person's rows from the old form (base `fast`) to the new (`slow`).

    Run when they come back, and by the background upgrade for every signer and subscriber.
    Preferences, drafts, the clean-up trail and a block have no seal to recover the old base
    from, so only this moves them. Returns the signatures and subscriptions moved.
    """

    def work(conn: sqlite3.Connection) -> int:
        moved = 0
        for campaign in campaigns:
            old = ids.signer_of(fast, campaign)
            moved += conn.execute(
                "UPDATE signatures SET signer = ?, seal = ?, legacy = 0"
                " WHERE campaign = ? AND signer = ? AND legacy = 1",
                (ids.signer_of(slow, campaign), ids.seal_base(slow), campaign, old),
            ).rowcount
            moved += _move_subscription(conn, campaign, old, ids.subscriber_of(slow, campaign))
        for table, column, old_id, new_id in (
            ("preferences", "person", ids.person_of(fast), ids.person_of(slow)),
            ("drafts", "person", ids.person_of(fast), ids.person_of(slow)),
            ("trail", "person", ids.person_of(fast), ids.person_of(slow)),
            ("blocks", "block", ids.block_of(fast), ids.block_of(slow)),
        ):
            conn.execute(
                f"UPDATE OR REPLACE {table} SET {column} = ? WHERE {column} = ?", (new_id, old_id)
            )
        return moved

    return await db.atomic(work)


def _move_subscription(conn: sqlite3.Connection, campaign: str, old: str, new: str) -> int:
    """A subscription in the old form takes its new pseudonym, and its deliveries follow it."""
    moved = conn.execute(
        "UPDATE OR REPLACE subscriptions SET signer = ?, legacy = 0"
        " WHERE campaign = ? AND signer = ? AND legacy = 1",
        (new, campaign, old),
    ).rowcount
    if moved:
        conn.execute(
            "UPDATE OR REPLACE deliveries SET subscriber = ? WHERE subscriber = ?"
            " AND broadcast IN (SELECT id FROM broadcasts WHERE campaign = ?)",
            (new, old, campaign),
        )
    return moved


Legacy = tuple[str, list[tuple[str, str]]]  # an old base, and old subscriptions it may not name


async def legacy_people(db: Database, ids: Pseudonyms, key: bytes, limit: int) -> list[Legacy]:
    """Old bases of up to `limit` people who still have rows in the old form, with the old
    subscriptions (campaign, pseudonym) their chat id was found in.

    From signature seals and subscribers' sealed chat ids (the key opens both). A row that
    yields no base (a damaged seal) is marked moved, so the upgrade ends; its person stays
    unrecognised.
    """

    def work(conn: sqlite3.Connection) -> list[Legacy]:
        found: dict[str, list[tuple[str, str]]] = {}
        rows = conn.execute(
            "SELECT number, seal FROM signatures WHERE legacy = 1 ORDER BY number LIMIT ?",
            (limit * 4,),
        ).fetchall()
        for number, seal in rows:
            base = ids.unseal(seal)
            if base is None:
                conn.execute("UPDATE signatures SET legacy = 0 WHERE number = ?", (number,))
            elif len(found) < limit:
                found.setdefault(base, [])
        if len(found) < limit:
            subscriptions = conn.execute(
                "SELECT campaign, signer, chat, chat_id FROM subscriptions WHERE legacy = 1"
                " LIMIT ?",
                (limit,),
            ).fetchall()
            for campaign, signer, chat, clear in subscriptions:
                chat_id = clear if clear is not None else ids.unseal_chat(chat)
                if chat_id is None:  # damaged: no person to move it to; it cannot be sent
                    conn.execute(
                        "DELETE FROM subscriptions WHERE campaign = ? AND signer = ?",
                        (campaign, signer),
                    )
                else:
                    found.setdefault(signer_id(key, chat_id), []).append((campaign, signer))
        return list(found.items())[:limit]

    return await db.atomic(work)


async def settle_subscriptions(
    db: Database, ids: Pseudonyms, old: list[tuple[str, str]], slow: str
) -> None:
    """Subscriptions still in the old form after their person moved (their pseudonym was not
    the person's old one) take the person's new pseudonym, so the upgrade ends."""

    def work(conn: sqlite3.Connection) -> None:
        for campaign, signer in old:
            _move_subscription(conn, campaign, signer, ids.subscriber_of(slow, campaign))

    await db.atomic(work)


async def clear_chats_left(db: Database) -> bool:
    """Whether a chat id made before migrations/0011 is still in clear."""
    row = await db.fetchone(
        "SELECT 1 FROM subscriptions WHERE chat_id IS NOT NULL"
        " UNION ALL SELECT 1 FROM deliveries WHERE chat_id IS NOT NULL LIMIT 1"
    )
    return row is not None


async def seal_clear_chats(db: Database, ids: Pseudonyms, batch: int = 500) -> int:
    """Data step of migrations/0011: every chat id still in clear is sealed and its clear
    column set to NULL, a batch per transaction (a killed run resumes: the clear ones are what
    is left). Subscriptions and deliveries are keyed by pseudonym, never by chat id, so a
    broadcast sending meanwhile finds each delivery in one form or the other, once. Returns
    the rows sealed; the caller purges the journal."""
    sealed = 0
    for table, first, second, start in (
        ("subscriptions", "campaign", "signer", ""),
        ("deliveries", "broadcast", "subscriber", -1),
    ):
        after: tuple[Any, Any] = (start, "")
        while rows := await db.atomic(
            partial(_seal_batch, ids=ids, table=table, key=(first, second), after=after, n=batch)
        ):
            sealed += len(rows)
            after = rows[-1]
    return sealed


def _seal_batch(
    conn: sqlite3.Connection,
    *,
    ids: Pseudonyms,
    table: str,
    key: tuple[str, str],
    after: tuple[Any, Any],
    n: int,
) -> list[tuple[Any, Any]]:
    """Seals the next `n` clear chat ids after primary key `after`; returns their keys."""
    first, second = key
    rows = conn.execute(
        f"SELECT {first}, {second}, chat_id FROM {table} WHERE ({first}, {second}) > (?, ?)"
        f" AND chat_id IS NOT NULL ORDER BY {first}, {second} LIMIT ?",
        (*after, n),
    ).fetchall()
    conn.executemany(
        f"UPDATE {table} SET chat = ?, chat_id = NULL WHERE {first} = ? AND {second} = ?",
        [(ids.seal_chat(int(chat_id)), a, b) for a, b, chat_id in rows],
    )
    return [(a, b) for a, b, _ in rows]


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
        "UPDATE signatures SET signer = ?, seal = ?, legacy = 1 WHERE number = ?",
        [
            (ids.signer_of(base, campaign), ids.seal_base(base), number)
            for number, campaign, base in signatures
        ],
    )
    subscriptions = conn.execute(
        "SELECT s.campaign, s.signer, p.language FROM subscriptions s"
        " LEFT JOIN signers p ON p.signer = s.signer"
    ).fetchall()
    conn.executemany(
        "UPDATE subscriptions SET signer = ?, language = ?, legacy = 1"
        " WHERE campaign = ? AND signer = ?",
        [
            (ids.signer_of(base, campaign), language, campaign, base)
            for campaign, base, language in subscriptions
        ],
    )
    drafts = conn.execute(
        "SELECT d.person, p.last_source FROM drafts d"
        " LEFT JOIN signers p ON p.signer = d.person AND p.last_campaign = d.campaign"
    ).fetchall()
    conn.executemany(
        "UPDATE drafts SET person = ?, source = ? WHERE person = ?",
        [(ids.person_of(base), source, base) for base, source in drafts],
    )
    people = conn.execute("SELECT signer, language, blocked FROM signers").fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO preferences (person, language, touched_at) VALUES (?, ?, ?)",
        [(ids.person_of(base), lang, now) for base, lang, _ in people if lang],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO blocks (block, at) VALUES (?, ?)",
        [(ids.block_of(base), now) for base, _, blocked in people if blocked],
    )
    conn.execute("DROP TABLE signers")
    return len(signatures)
