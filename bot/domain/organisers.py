"""Organiser levels: who may do what, decided from the ids in the settings."""

from __future__ import annotations

import enum


class Level(enum.Enum):
    """An organiser's powers; the value is what the audit log records."""

    MODERATOR = "moderator"  # day-to-day moderation: nothing that takes names out of the bot
    ADMIN = "admin"  # everything: exports of names, backups, broadcasts, goals, reload

    def covers(self, required: Level) -> bool:
        """An admin can do whatever a moderator can."""
        return self is Level.ADMIN or required is Level.MODERATOR


def level_of(
    user_id: int | None, admin_ids: frozenset[int], moderator_ids: frozenset[int]
) -> Level | None:
    """ADMIN_IDS win over MODERATOR_IDS for an id in both; None for everyone else."""
    if user_id is None:
        return None
    if user_id in admin_ids:
        return Level.ADMIN
    return Level.MODERATOR if user_id in moderator_ids else None
