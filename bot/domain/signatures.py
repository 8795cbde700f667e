"""Signatures, drafts and the pseudonymous signer id."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace

STEPS = ("name", "role", "org", "public", "preview")


def signer_id(key: bytes, telegram_user_id: int) -> str:
    """HMAC-SHA256 of the Telegram id: stable per person, useless without the key."""
    return hmac.new(key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Signature:
    number: int
    campaign: str
    name: str | None
    role: str | None
    organisation: str | None
    public: bool
    language: str
    source: str | None
    signed_at: int
    updated_at: int | None = None


@dataclass(frozen=True)
class Draft:
    signer: str
    campaign: str
    step: str
    name: str | None = None
    role: str | None = None
    organisation: str | None = None
    public: bool | None = None
    editing: bool = False
    message_id: int | None = None
    last_update: int = 0
    updated_at: int = 0

    def advance(self, **changes: object) -> Draft:
        """The next step after the current one, or straight to preview when editing a field."""
        draft = replace(self, **changes)  # type: ignore[arg-type]
        if self.step == "preview":
            return draft
        order = STEPS.index(self.step)
        return replace(draft, step=STEPS[order + 1])


@dataclass(frozen=True)
class ConfirmResult:
    """What Confirm did: recorded a new signature, updated one, or nothing (already done)."""

    outcome: str  # "signed" | "updated" | "duplicate" | "no_draft" | "closed" | "blocked"
    count: int
    signature: Signature | None = None
