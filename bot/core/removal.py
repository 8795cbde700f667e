"""Organisers' /remove and /block of a signature by its number (the erasure itself is
bot.core.erasure.remove)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import erasure
from bot.core.erasure import Removed
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.signatures import Signature
from bot.storage import signatures as signature_store


async def numbered(svc: Services, number: int) -> Signature | None:
    found = await signature_store.by_number(svc.db, number)
    return found[0] if found else None


@dataclass(frozen=True)
class Removal:
    signature: Signature
    erased: Removed
    count: int  # the campaign's count now


async def remove(
    svc: Services, user_id: int, number: int, signed_at: int, block: bool
) -> Removal | None:
    """Erases signature `number` (and blocks its signer, if `block`) if it is still the one
    signed at `signed_at`, as the confirmation showed; None when it is not (a stale button).
    The organiser's decision is audited here, so no caller can forget it."""
    found = await signature_store.by_number(svc.db, number)
    if found is None or found[0].signed_at != signed_at:
        return None
    signature, signer, seal = found
    erased = await erasure.remove(svc, signature.campaign, signer, seal, block)
    action = "block" if block else "remove"
    await audit(svc, user_id, action, f"campaign={signature.campaign} number={number}")
    return Removal(signature, erased, await signature_store.count(svc.db, signature.campaign))
