"""Broadcasts and their deliveries: the only Telegram ids an organiser's action creates.

A delivery names its subscription by pseudonym (`subscriber`, in the broadcast's campaign) and
carries its sealed chat id (`chat`, copied from the subscription; `chat_id` holds a clear one
only until the data step of migrations/0011 seals it). It lives while its broadcast sends,
`broadcasts.admin_id` (a raw id) while it is a draft or sending; both go when it ends
(bot.core.erasure). Every status comes from
bot.domain.broadcasts and changes only along its tables: each UPDATE names the states it may
move from (`moving_to`), so a second confirmation or a stale button changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.domain.broadcasts import (
    BROADCAST_MOVES,
    CREATED_AS,
    DELIVERY_MOVES,
    DRAFT_HOURS,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    DeliveryStatus,
    moving_to,
)
from bot.storage import signers as signer_store
from bot.storage.engine import Database, Row

_COLUMNS = (
    "id, campaign, admin_id, html, status, kind, sent, failed, progress_message, created_at, bot"
)


def _in(states: Iterable[BroadcastStatus | DeliveryStatus]) -> tuple[str, list[str]]:
    """`status IN (?, …)` and its parameters."""
    values = [state.value for state in states]
    return f"status IN ({','.join('?' for _ in values)})", values


def _moving_to(target: BroadcastStatus) -> tuple[str, list[str]]:
    """The condition for a broadcast allowed to move to `target`, and its parameters."""
    return _in(moving_to(BROADCAST_MOVES, target))


def _broadcast(row: Row) -> Broadcast:
    values: list[Any] = list(row)
    values[4], values[5] = BroadcastStatus(values[4]), BroadcastKind(values[5])
    return Broadcast(*values)


async def cancel_forgotten(db: Database, now: int) -> int:
    """Drafts older than DRAFT_HOURS are cancelled (and their admin's raw id goes), so a
    forgotten text never rides along with a later message."""
    cancel, cancel_params = _moving_to(BroadcastStatus.CANCELLED)
    return await db.execute(
        f"UPDATE broadcasts SET status = ?, finished_at = ?, admin_id = 0"
        f" WHERE {cancel} AND status = ? AND kind = ? AND created_at < ?",
        (
            BroadcastStatus.CANCELLED.value,
            now,
            *cancel_params,
            CREATED_AS[BroadcastKind.MESSAGE].value,
            BroadcastKind.MESSAGE.value,
            now - DRAFT_HOURS * 3600,
        ),
    )


async def draft_for(db: Database, campaign: str, admin_id: int, now: int) -> int:
    """This admin's unsent broadcast for `campaign`, created when there is none: each reply
    with /broadcast adds a language to it until it is confirmed or cancelled."""
    draft = CREATED_AS[BroadcastKind.MESSAGE]
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT id FROM broadcasts WHERE campaign = ? AND admin_id = ? AND status = ?"
            " AND kind = ? ORDER BY id DESC LIMIT 1",
            (campaign, admin_id, draft.value, BroadcastKind.MESSAGE.value),
        )
        row = await cur.fetchone()
        if row is not None:
            return int(row[0])
        cur = await conn.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, kind, created_at)"
            " VALUES (?, ?, '', ?, ?, ?) RETURNING id",
            (campaign, admin_id, draft.value, BroadcastKind.MESSAGE.value, now),
        )
        return int((await cur.fetchall())[0][0])


async def keep_draft(db: Database, broadcast_id: int, now: int) -> None:
    """A draft waiting for a second admin starts its hour again, so it outlives the wait."""
    await db.execute(
        "UPDATE broadcasts SET created_at = ? WHERE id = ? AND status = ?",
        (now, broadcast_id, BroadcastStatus.DRAFT.value),
    )


async def set_draft_text(
    db: Database, broadcast_id: int, language: str, html: str, *, default: bool
) -> None:
    """A language's text of a draft (replacing an earlier one); the default language's text
    is also the broadcast's own, which every language without a text of its own gets."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO broadcast_texts (broadcast, language, html) VALUES (?, ?, ?)"
            " ON CONFLICT (broadcast, language) DO UPDATE SET html = excluded.html",
            (broadcast_id, language, html),
        )
        if default:
            await conn.execute(
                "UPDATE broadcasts SET html = ? WHERE id = ? AND status = ?",
                (html, broadcast_id, BroadcastStatus.DRAFT.value),
            )


async def audience_by_bot(db: Database, campaign: str) -> dict[int, int]:
    """Active subscribers per bot they subscribed with (the one that can reach them)."""
    rows = await db.fetchall(
        "SELECT bot, COUNT(*) FROM subscriptions WHERE campaign = ? AND active = 1 GROUP BY 1",
        (campaign,),
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def audience(db: Database, campaign: str) -> dict[str, int]:
    """Active subscribers per language their broadcast is chosen by ("" when unknown)."""
    rows = await db.fetchall(
        "SELECT COALESCE(language, ''), COUNT(*) FROM subscriptions"
        " WHERE campaign = ? AND active = 1 GROUP BY 1",
        (campaign,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


# Recipients: active subscriptions, each in the language kept on the subscription (set when
# they opt in or change /language); no join to the signatures, whose pseudonyms differ since
# version 3. Each row starts PENDING (the column's default, migrations/0002).
_RECIPIENTS = (
    "INSERT OR IGNORE INTO deliveries (broadcast, subscriber, chat, chat_id, bot, language)"
    " SELECT ?, signer, chat, chat_id, bot, language FROM subscriptions"
    " WHERE campaign = ? AND active = 1"
)


async def start(db: Database, broadcast_id: int) -> int | None:
    """Draft -> sending with one delivery row per recipient, atomically; None if not a draft.

    Only the first of two concurrent confirmations moves the status, so a double tap cannot
    queue the message twice.
    """
    sending, params = _moving_to(BroadcastStatus.SENDING)
    async with db.transaction() as conn:
        # A broadcast without its default language's text (`html`) cannot be sent.
        cur = await conn.execute(
            f"UPDATE broadcasts SET status = ? WHERE id = ? AND {sending}"
            " AND html != '' RETURNING campaign",
            (BroadcastStatus.SENDING.value, broadcast_id, *params),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        cur = await conn.execute(_RECIPIENTS, (broadcast_id, row[0]))
        return int(cur.rowcount)


async def create_milestone(
    db: Database, campaign: str, default_html: str, texts: dict[str, str], now: int
) -> tuple[int, int]:
    """A 'milestone' broadcast queued for sending at once; (id, recipients)."""
    kind = BroadcastKind.MILESTONE
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO broadcasts (campaign, admin_id, html, status, kind, created_at)"
            " VALUES (?, 0, ?, ?, ?, ?) RETURNING id",
            (campaign, default_html, CREATED_AS[kind].value, kind.value, now),
        )
        broadcast_id = int((await cur.fetchall())[0][0])
        await conn.executemany(
            "INSERT INTO broadcast_texts (broadcast, language, html) VALUES (?, ?, ?)",
            [(broadcast_id, language, html) for language, html in texts.items()],
        )
        cur = await conn.execute(_RECIPIENTS, (broadcast_id, campaign))
        return broadcast_id, int(cur.rowcount)


async def cancel(db: Database, broadcast_id: int, now: int) -> bool:
    """A draft dropped: it can no longer be sent, and its admin's raw id goes."""
    cancelled, params = _moving_to(BroadcastStatus.CANCELLED)
    changed = await db.execute(
        f"UPDATE broadcasts SET status = ?, finished_at = ?, admin_id = 0"
        f" WHERE id = ? AND {cancelled}",
        (BroadcastStatus.CANCELLED.value, now, broadcast_id, *params),
    )
    return changed == 1


async def set_progress_message(
    db: Database, broadcast_id: int, bot: int, message_id: int | None
) -> None:
    await db.execute(
        "UPDATE broadcasts SET progress_message = ?, bot = ? WHERE id = ?",
        (message_id, bot, broadcast_id),
    )


async def texts(db: Database, broadcast_id: int) -> dict[str, str]:
    rows = await db.fetchall(
        "SELECT language, html FROM broadcast_texts WHERE broadcast = ?", (broadcast_id,)
    )
    return {str(r[0]): str(r[1]) for r in rows}


async def pending_deliveries(
    db: Database, broadcast_id: int, bots: Iterable[int], limit: int = 200
) -> list[tuple[str, str | None, int | None, int, str | None]]:
    """(subscriber, sealed chat, clear chat id of a row not sealed yet, bot, language) of the
    pending deliveries through `bots` (those serving now)."""
    through = list(bots)
    if not through:
        return []
    places = ",".join("?" for _ in through)
    rows = await db.fetchall(
        "SELECT subscriber, chat, chat_id, bot, language FROM deliveries"
        f" WHERE broadcast = ? AND status = ? AND bot IN ({places}) ORDER BY subscriber LIMIT ?",
        (broadcast_id, DeliveryStatus.PENDING.value, *through, limit),
    )
    return [(str(r[0]), r[1], r[2], int(r[3]), r[4]) for r in rows]


async def waiting(db: Database, broadcast_id: int) -> dict[int, int]:
    """Pending deliveries per bot (the ones left after every serving bot's were sent)."""
    rows = await db.fetchall(
        "SELECT bot, COUNT(*) FROM deliveries WHERE broadcast = ? AND status = ? GROUP BY bot",
        (broadcast_id, DeliveryStatus.PENDING.value),
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def give_up(db: Database, broadcast_id: int, bot: int) -> int:
    """The pending deliveries through `bot`, down too long, counted as failed; how many."""
    failed = DeliveryStatus.FAILED
    where, params = _in(moving_to(DELIVERY_MOVES, failed))
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"UPDATE deliveries SET status = ? WHERE broadcast = ? AND bot = ? AND {where}",
            (failed.value, broadcast_id, bot, *params),
        )
        count = int(cur.rowcount)
        await conn.execute(
            "UPDATE broadcasts SET failed = failed + ? WHERE id = ?", (count, broadcast_id)
        )
    return count


# The broadcast's column counting each outcome.
_COUNTED = {DeliveryStatus.SENT: "sent", DeliveryStatus.FAILED: "failed"}


async def mark_delivery(
    db: Database, broadcast_id: int, subscriber: str, outcome: DeliveryStatus
) -> None:
    """Records one outcome (sent, or failed for a reason other than a block) and its count."""
    await _mark(db, broadcast_id, subscriber, outcome, ())


async def mark_blocked(
    db: Database, broadcast_id: int, subscriber: str, theirs: signer_store.Subscriptions
) -> int:
    """The recipient blocked the bot: recorded as failed, and this subscription and `theirs`
    (the person's others) deleted with their deliveries. Returns the subscriptions deleted.
    Called by core/erasure only."""
    return await _mark(db, broadcast_id, subscriber, DeliveryStatus.FAILED, theirs, blocked=True)


async def _mark(
    db: Database,
    broadcast_id: int,
    subscriber: str,
    outcome: DeliveryStatus,
    theirs: signer_store.Subscriptions,
    *,
    blocked: bool = False,
) -> int:
    """Records one outcome and its count together; `blocked` (the person blocked the bot)
    also deletes the subscription and `theirs`. Returns the subscriptions deleted."""
    column = _COUNTED[outcome]
    where, params = _in(moving_to(DELIVERY_MOVES, outcome))
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"UPDATE deliveries SET status = ? WHERE broadcast = ? AND subscriber = ? AND {where}",
            (outcome.value, broadcast_id, subscriber, *params),
        )
        if cur.rowcount == 1:
            await conn.execute(
                f"UPDATE broadcasts SET {column} = {column} + 1 WHERE id = ?", (broadcast_id,)
            )
        if not blocked:
            return 0
        cur = await conn.execute("SELECT campaign FROM broadcasts WHERE id = ?", (broadcast_id,))
        row = await cur.fetchone()
        own = [] if row is None else [(str(row[0]), subscriber)]
        return await signer_store.delete_subscriptions(conn, [*own, *theirs])


async def finish(db: Database, broadcast_id: int, now: int) -> int:
    """Marks it done and deletes what holds chat ids: its delivery rows (sealed) and admin_id (and
    its texts); the counts stay. Returns the rows deleted. Called by bot.core.erasure only."""
    done, params = _moving_to(BroadcastStatus.DONE)
    async with db.transaction() as conn:
        await conn.execute(
            f"UPDATE broadcasts SET status = ?, finished_at = ?, admin_id = 0"
            f" WHERE id = ? AND {done}",
            (BroadcastStatus.DONE.value, now, broadcast_id, *params),
        )
        cur = await conn.execute("DELETE FROM deliveries WHERE broadcast = ?", (broadcast_id,))
        deleted = int(cur.rowcount)
        await conn.execute("DELETE FROM broadcast_texts WHERE broadcast = ?", (broadcast_id,))
    return deleted


async def unfinished(db: Database) -> list[int]:
    """Broadcasts left sending (by a stopped runner or a restart)."""
    rows = await db.fetchall(
        "SELECT id FROM broadcasts WHERE status = ? ORDER BY id", (BroadcastStatus.SENDING.value,)
    )
    return [int(r[0]) for r in rows]


async def sending_progress(db: Database) -> dict[int, int]:
    """Each sending broadcast and how many of its messages were sent or failed."""
    rows = await db.fetchall(
        "SELECT id, sent + failed FROM broadcasts WHERE status = ?",
        (BroadcastStatus.SENDING.value,),
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def sending_totals(db: Database) -> tuple[int, dict[DeliveryStatus, int]]:
    """How many broadcasts are sending, and their deliveries by state (for /metrics)."""
    sending = BroadcastStatus.SENDING.value
    row = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(sent), 0), COALESCE(SUM(failed), 0)"
        " FROM broadcasts WHERE status = ?",
        (sending,),
    )
    count, sent, failed = row if row is not None else (0, 0, 0)
    pending = await db.scalar(
        "SELECT COUNT(*) FROM deliveries WHERE status = ? AND broadcast IN"
        " (SELECT id FROM broadcasts WHERE status = ?)",
        (DeliveryStatus.PENDING.value, sending),
        0,
    )
    return int(count), {
        DeliveryStatus.PENDING: int(pending),
        DeliveryStatus.SENT: int(sent),
        DeliveryStatus.FAILED: int(failed),
    }
