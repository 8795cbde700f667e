"""What an update costs of a person's flood allowance, defined once.

Each person may send `BURST` updates at once and `PER_SECOND` a second after that
(bot.telegram.middleware.Gatekeeper keeps the buckets). Most updates cost 1; an action that
makes the bot read many rows, erase and purge the journal, or call Telegram many times costs
more, so ten accounts pressing it at the allowed rate cannot take the database or the Bot API
away from people who are signing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

BURST = 30  # updates one person may send at once (an album is up to ten)
PER_SECOND = 3.0  # refill of the allowance

LIST_PAGE = 3  # a page of the public list: the page index, up to a page of rows
ERASURE = 5  # erases rows, then checkpoints, zeroes, syncs and truncates the journal
CLEAN_UP = 5  # deletes a whole conversation: one Bot API call per 100 messages

# Callback actions (bot.telegram.callbacks) and commands by what they cost; the rest cost 1.
COSTS: Mapping[str, int] = MappingProxyType(
    {
        "who": LIST_PAGE,
        "whob": LIST_PAGE,
        "/signatories": LIST_PAGE,
        "/start __list": LIST_PAGE,  # the list's deep link from a group
        "wdy": ERASURE,
        "clean": CLEAN_UP,
        "cleanall": CLEAN_UP + ERASURE,
    }
)


def cost_of(action: str) -> int:
    """Tokens one update of `action` takes from the person's allowance."""
    return COSTS.get(action, 1)


def rate_for(action: str) -> float:
    """How many updates of `action` a second one person can keep sending without a refusal."""
    return PER_SECOND / cost_of(action)


class Verdict(Enum):
    """What happens to an update of a person who may be flooding."""

    RUN = "run"
    DROP = "drop"  # not handled, not answered: no Bot API call per dropped update
    NOTICE = "notice"  # not handled either; it carries the one "too fast" notice of the flood
