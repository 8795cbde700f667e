"""The official bots of a campaign set and their roles (reserve bots, README "Reserve bots").

Every bot serves whoever opens it; the role says where it is advertised. The primary is
named first everywhere (the public page's sign link, /help, the thank-you message's small
print), active bots after it, dormant ones nowhere: a reserve kept quiet until it is needed.
There is one primary at most; the first bot ever recorded becomes it, and the order of
`BOT_TOKENS` is only the default for bots the database has not seen yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A row made before reserve bots (drafts, trail, subscriptions, deliveries, broadcasts)
# belongs to "the bot that was running": 0 until the first start adopts it for the primary.
BEFORE_RESERVES = 0


class Role(StrEnum):
    PRIMARY = "primary"
    ACTIVE = "active"
    DORMANT = "dormant"


@dataclass(frozen=True)
class OfficialBot:
    """A bot of the campaign set as the database knows it: getMe's id and username."""

    id: int
    username: str
    role: Role


def first_role(known: list[OfficialBot]) -> Role:
    """The role of a bot the database sees for the first time: primary when there is none."""
    return Role.ACTIVE if any(b.role is Role.PRIMARY for b in known) else Role.PRIMARY
