"""The official bots of a campaign set and their roles (reserve bots, README "Reserve bots").

Every bot serves whoever opens it; the role says where it is advertised. The primary is
named first everywhere (the public page's sign link, /help, the thank-you message's small
print), active bots after it, dormant ones nowhere: a reserve kept quiet until it is needed.
There is exactly one primary: the first bot ever recorded becomes it, the order of
`BOT_TOKENS` is only the default for bots the database has not seen yet, and an admin's /bots
changes roles (`change_role`).
"""

from __future__ import annotations

from collections.abc import Iterable
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


def advertised(bots: Iterable[OfficialBot]) -> list[OfficialBot]:
    """The bots supporters are told about: the primary first, then the active ones by id;
    a dormant bot nowhere."""
    rank = {Role.PRIMARY: 0, Role.ACTIVE: 1}
    return sorted((b for b in bots if b.role in rank), key=lambda b: (rank[b.role], b.id))


def find(bots: Iterable[OfficialBot], ref: str) -> OfficialBot | None:
    """The bot an admin named: its username (with or without the @, in any case) or its id."""
    wanted = ref.strip().removeprefix("@").lower()
    for bot in bots:
        if wanted == bot.username.lower() or wanted == str(bot.id):
            return bot
    return None


class Refusal(StrEnum):
    """Why a change of role is refused."""

    UNKNOWN_BOT = "unknown_bot"
    UNKNOWN_ROLE = "unknown_role"
    LAST_PRIMARY = "last_primary"  # there is always exactly one primary
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RoleChange:
    """An admin's change, checked: `bot` gets `role`; `demoted` is the former primary, who
    becomes active when another bot is made primary."""

    bot: OfficialBot
    role: Role
    demoted: OfficialBot | None


def change_role(bots: list[OfficialBot], ref: str, role_name: str) -> RoleChange | Refusal:
    """The one rule of roles: a known bot, a known role, and exactly one primary afterwards
    (the primary steps down only by another bot taking its place)."""
    bot = find(bots, ref)
    if bot is None:
        return Refusal.UNKNOWN_BOT
    try:
        role = Role(role_name.strip().lower())
    except ValueError:
        return Refusal.UNKNOWN_ROLE
    if bot.role is role:
        return Refusal.UNCHANGED
    if bot.role is Role.PRIMARY:
        return Refusal.LAST_PRIMARY
    former = next((b for b in bots if b.role is Role.PRIMARY), None)
    return RoleChange(bot, role, former if role is Role.PRIMARY else None)
