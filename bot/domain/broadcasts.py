"""Broadcasts: their states, their recipients' delivery states, and which moves are allowed.

The stored values (`broadcasts.status`, `broadcasts.kind`, `deliveries.status`; the CHECKs
of migrations/0002_admin.sql) come from the enums here and nowhere else. A state changes only
along `BROADCAST_MOVES` / `DELIVERY_MOVES`: storage's UPDATEs take their `WHERE status IN (…)`
from `moving_to`, so a double tap, a restart or a stale button cannot move a state twice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

DRAFT_HOURS = 1  # a broadcast draft left unconfirmed this long is cancelled, texts and all


class BroadcastStatus(enum.StrEnum):
    """Where a broadcast is; stored as its value."""

    DRAFT = "draft"  # an admin is adding texts; nothing is queued
    SENDING = "sending"  # one delivery row per recipient; the runner works through them
    DONE = "done"  # every row sent or failed; the rows (raw chat ids) are gone
    CANCELLED = "cancelled"  # a draft dropped, or forgotten for DRAFT_HOURS


class BroadcastKind(enum.StrEnum):
    """Who made it; stored as its value."""

    MESSAGE = "message"  # /broadcast: a draft an admin confirms
    MILESTONE = "milestone"  # a goal reached: queued for sending at once


class DeliveryStatus(enum.StrEnum):
    """One recipient of a sending broadcast; stored as its value."""

    PENDING = "pending"
    SENT = "sent"
    # blocked, deactivated, or uncertain (timed out, connection dropped: it may have arrived):
    # never retried (no double message)
    FAILED = "failed"


# Where each kind of broadcast starts.
CREATED_AS: Mapping[BroadcastKind, BroadcastStatus] = MappingProxyType(
    {
        BroadcastKind.MESSAGE: BroadcastStatus.DRAFT,
        BroadcastKind.MILESTONE: BroadcastStatus.SENDING,
    }
)

BROADCAST_MOVES: Mapping[BroadcastStatus, frozenset[BroadcastStatus]] = MappingProxyType(
    {
        BroadcastStatus.DRAFT: frozenset({BroadcastStatus.SENDING, BroadcastStatus.CANCELLED}),
        BroadcastStatus.SENDING: frozenset({BroadcastStatus.DONE}),
        BroadcastStatus.DONE: frozenset(),
        BroadcastStatus.CANCELLED: frozenset(),
    }
)

DELIVERY_MOVES: Mapping[DeliveryStatus, frozenset[DeliveryStatus]] = MappingProxyType(
    {
        DeliveryStatus.PENDING: frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED}),
        DeliveryStatus.SENT: frozenset(),
        DeliveryStatus.FAILED: frozenset(),
    }
)

S = TypeVar("S", BroadcastStatus, DeliveryStatus)


def moving_to(moves: Mapping[S, frozenset[S]], target: S) -> tuple[S, ...]:
    """The states allowed to move to `target`, in the table's order (for `status IN (…)`)."""
    return tuple(state for state, allowed in moves.items() if target in allowed)


class ConfirmOutcome(enum.Enum):
    """What an admin's Confirm press did."""

    STARTED = "started"  # queued: the runner sends it now
    GONE = "gone"  # not this admin's draft any more: sent, cancelled, expired or never theirs
    NEEDS_DEFAULT = "needs_default"  # no text in the campaign's default language yet
    NEEDS_APPROVAL = "needs_approval"  # four eyes: it waits for a second admin
    LINKS_REFUSED = "links_refused"  # a link, and no second admin to approve it
    CHANGED = "changed"  # approved, but its texts changed since it was asked for: not sent


@dataclass(frozen=True)
class Broadcast:
    """A stored broadcast. `admin_id` is a raw Telegram id while it is a draft or sending,
    0 once it ended (and for milestones, which no organiser started)."""

    id: int
    campaign: str
    admin_id: int
    html: str
    status: BroadcastStatus
    kind: BroadcastKind
    sent: int
    failed: int
    progress_message: int | None
    created_at: int
    progress_bot: int  # the getMe id of the bot whose chat holds the progress message

    def expired(self, now: int) -> bool:
        """A draft shown so long ago that its preview may be forgotten."""
        return now - self.created_at > DRAFT_HOURS * 3600


@dataclass(frozen=True)
class Recipient:
    """One pending delivery, opened: the subscription it belongs to (its pseudonym in the
    broadcast's campaign), the chat to write to, and the language of the text to send."""

    subscriber: str
    chat_id: int
    bot: int  # the getMe id of the bot they subscribed with: the only one that may write
    language: str | None
