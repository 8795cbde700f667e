"""Reports of a public name by a reader who says it is theirs and they did not sign.

Anyone can read the public list, so anyone can report: the daily limit per reader keeps one
person from flooding the moderators, and a report never says who made it. A report does not
take a name off the list (that would let any reader silence any signer): it puts the name in
front of the moderators, who decide.
"""

from __future__ import annotations

import enum
import hashlib

from bot.domain.signatories import Entry

REPORTS_PER_DAY = 3  # per reader, in any 24 hours
REPORT_DAYS = 7  # a report is forgotten after this, if no moderator acted before


class Reported(enum.Enum):
    """What a report press did."""

    REPORTED = "reported"  # recorded (and, the first for this name, moderators told)
    ALREADY = "already"  # this reader reported this name before: nothing more
    CHANGED = "changed"  # the list moved since the confirmation: nothing recorded
    TOO_MANY = "too_many"  # the reader's daily limit


def entry_digest(campaign: str, entry: Entry) -> str:
    """What the reader confirmed, in 12 hex digits: name, role and organisation, never the
    signature number (a number would tell the reader how many unlisted signatures exist)."""
    seen = f"{campaign}\n{entry.name}\x1f{entry.role or ''}\x1f{entry.organisation or ''}"
    return hashlib.sha256(seen.encode()).hexdigest()[:12]
