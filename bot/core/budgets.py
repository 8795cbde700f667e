"""What an organiser's hourly budget says when it runs out. The rule is bot.domain.budgets; the
budgets are kept in the database (bot.storage.budgets), per organiser and kind, keyed by a keyed
hash of the organiser (never the Telegram id), so every worker draws on the same, and
forgotten as soon as an hour holds nothing of them; `bot.core.organisers.within_budget` is what
a use case calls."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.budgets import Kind
from bot.domain.organisers import Level


@dataclass(frozen=True)
class OverBudget:
    """An organiser action refused: the hour's budget of its kind is spent."""

    kind: Kind
    level: Level
    limit: int
    retry_after: int  # seconds until one more action fits
    announce: bool  # the first refusal since the budget ran out: every admin is to be told
