"""Four eyes: what needs a second admin, and how a request moves from asked to decided.

With two or more ids in ADMIN_IDS (and FOUR_EYES not off), an export holding names, /backup,
a broadcast, a bulk removal (/purge), /unhide of a name an admin hid and a change of an official
bot's role (/bots role) take effect only once another admin approves within APPROVAL_MINUTES. The stored statuses (`approvals.status`, the
CHECK of its migration) come from `Status` here; a status changes only along `MOVES`, and
storage's UPDATEs take their `WHERE status IN (…)` from `moving_to`, so a double tap or a
redelivered update decides a request once. A decided request is deleted: the audit log keeps
the trail, nothing else outlives its purpose.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class Kind(enum.StrEnum):
    """What waits for a second admin; stored as its value."""

    EXPORT = "export"  # an export that holds names
    BACKUP = "backup"  # /backup: the whole database
    BROADCAST = "broadcast"  # a broadcast to every subscriber of a campaign
    PURGE = "purge"  # /purge: every signature of a campaign in a time window
    UNHIDE = "unhide"  # /unhide of a name an admin hid
    BOT_ROLE = "bot_role"  # /bots role: which official bot is advertised, and first


class Status(enum.StrEnum):
    PENDING = "pending"  # announced; waits for another admin
    APPROVED = "approved"  # claimed by the approver's press; carried out, then deleted
    REFUSED = "refused"  # by another admin, or withdrawn by the requester (then deleted)
    EXPIRED = "expired"  # nobody decided within the window (then deleted)


MOVES: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        Status.PENDING: frozenset({Status.APPROVED, Status.REFUSED, Status.EXPIRED}),
        Status.APPROVED: frozenset(),
        Status.REFUSED: frozenset(),
        Status.EXPIRED: frozenset(),
    }
)


def moving_to(target: Status) -> tuple[Status, ...]:
    """The statuses allowed to move to `target` (for `status IN (…)`)."""
    return tuple(status for status, allowed in MOVES.items() if target in allowed)


def in_force(admins: int, switched_on: bool) -> bool:
    """The one rule: four eyes hold whenever there is a second admin to ask, unless an
    operator switched them off (FOUR_EYES=off, which warns at every start)."""
    return switched_on and admins >= 2


@dataclass(frozen=True)
class Request:
    """A stored request. `requester` is the audit log's keyed hash of the organiser, never a
    Telegram id; `params` say what exactly was asked (format, broadcast id and digest, time
    window, number) and never hold a name."""

    id: int
    kind: Kind
    campaign: str  # "" for a backup
    requester: str
    level: str  # the requester's level: "admin" ("moderator" may ask to unhide)
    rows: int  # signatures (or subscribers, for a broadcast) it concerns, when asked
    params: Mapping[str, str]
    status: Status
    created_at: int
    expires_at: int

    def expired(self, now: int) -> bool:
        return now >= self.expires_at


class Verdict(enum.Enum):
    """What an admin's press on a request decides."""

    APPROVE = "approve"
    REFUSE = "refuse"  # another admin said no
    WITHDRAW = "withdraw"  # the requester took it back
    OWN = "own"  # the requester pressed Approve: nobody approves their own request
    EXPIRED = "expired"  # too late: the window closed


def judge(request: Request, decider: str, approve: bool, now: int) -> Verdict:
    """The verdict of `decider` (a keyed hash, as `requester`) pressing Approve (`approve`)
    or Refuse on a pending request."""
    if request.expired(now):
        return Verdict.EXPIRED
    own = decider == request.requester
    if approve:
        return Verdict.OWN if own else Verdict.APPROVE
    return Verdict.WITHDRAW if own else Verdict.REFUSE


# -- the link rule of broadcasts ------------------------------------------------------------

# What Telegram turns into something to tap: an <a href> (a text link), a URL with a scheme,
# a bare domain (Telegram links "example.org" and "t.me/x" on its own), an @username.
_LINK = re.compile(
    r"<a\s[^>]*href=\"(?P<href>[^\"]*)\""
    r"|(?P<url>\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+)"
    r"|(?P<domain>\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\b(?:/\S*)?)"
    r"|(?P<mention>(?<![\w@])@[a-z0-9_]{4,32}\b)",
    re.IGNORECASE,
)


def links_in(html: str) -> tuple[str, ...]:
    """Every link in a broadcast's HTML text (as stored: a text link is an <a href>), in
    order, each once; the approver is shown them, and one alone needs a second admin."""
    found: dict[str, None] = {}
    for match in _LINK.finditer(html):
        link = next(value for value in match.groupdict().values() if value is not None)
        found[link] = None
    return tuple(found)
