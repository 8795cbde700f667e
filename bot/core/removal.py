"""Organisers' /remove and /block of a signature by its number (the erasure itself is
bot.core.erasure.remove).

Both steps draw on the organiser's hourly budgets (bot.domain.budgets): the confirmation is a
preview, the press a destructive action. The confirmation shows what `Preview.of` allows, and
every lookup is audited, so a script walking every number leaves a trail, runs out within the
hour, and learns no name its signer kept out of the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import approvals, erasure
from bot.core.approvals import Asked
from bot.core.budgets import OverBudget
from bot.core.erasure import Removed
from bot.core.organisers import audit, within_budget
from bot.core.services import Services
from bot.domain.approvals import Kind as RequestKind
from bot.domain.budgets import Kind
from bot.domain.signatures import Preview, Signature
from bot.storage import signatures as signature_store


async def preview(
    svc: Services, user_id: int, number: int, block: bool
) -> Preview | OverBudget | None:
    """Signature `number` as the confirmation of /remove (/block, if `block`) may show it; None
    when there is none. Every lookup counts against the hourly previews, found or not (trying
    numbers is how a script looks), and is audited."""
    over = await within_budget(svc, user_id, Kind.PREVIEW)
    if over is not None:
        return over
    found = await signature_store.by_number(svc.db, number)
    purpose = "block" if block else "remove"
    if found is None:
        await audit(svc, user_id, "preview", f"for={purpose} number={number} found=no")
        return None
    shown = Preview.of(found[0])
    named = "yes" if shown.name else "no"
    detail = f"for={purpose} campaign={shown.campaign} number={number} name_shown={named}"
    await audit(svc, user_id, "preview", detail)
    return shown


@dataclass(frozen=True)
class Removal:
    signature: Signature
    erased: Removed
    count: int  # the campaign's count now


async def remove(
    svc: Services, user_id: int, number: int, signed_at: int, block: bool
) -> Removal | OverBudget | None:
    """Erases signature `number` (and blocks its signer, if `block`) if it is still the one
    signed at `signed_at`, as the confirmation showed; None when it is not (a stale button,
    which spends nothing). The organiser's decision is audited here, so no caller can forget
    it."""
    found = await signature_store.by_number(svc.db, number)
    if found is None or found[0].signed_at != signed_at:
        return None
    over = await within_budget(svc, user_id, Kind.DESTRUCTIVE)
    if over is not None:
        return over
    signature, signer, seal = found
    erased = await erasure.remove(svc, signature.campaign, signer, seal, block)
    action = "block" if block else "remove"
    await audit(svc, user_id, action, f"campaign={signature.campaign} number={number}")
    return Removal(signature, erased, await signature_store.count(svc.db, signature.campaign))


# -- /purge: a wave of spam, by time window -------------------------------------------------


@dataclass(frozen=True)
class Wave:
    """The signatures of a campaign made in [start, end): what /purge would remove."""

    campaign: str
    start: int
    end: int
    count: int


async def wave(svc: Services, user_id: int, campaign: str, start: int, end: int) -> Wave:
    """How many signatures /purge would remove (no name is shown: the count only); audited."""
    count = len(await signature_store.numbers_between(svc.db, campaign, start, end))
    await audit(
        svc, user_id, "purge_preview", f"campaign={campaign} from={start} to={end} rows={count}"
    )
    return Wave(campaign, start, end, count)


async def ask_for_purge(svc: Services, user_id: int, shown: Wave) -> Asked | None:
    """While four eyes are in force, a bulk removal waits for a second admin; None: the
    organiser may confirm it alone."""
    if not approvals.required(svc):
        return None
    params = {"from": str(shown.start), "to": str(shown.end)}
    return await approvals.ask(svc, user_id, RequestKind.PURGE, shown.campaign, shown.count, params)


async def purge(svc: Services, user_id: int, campaign: str, start: int, end: int) -> int:
    """Removes the wave (bot.core.erasure.purge); how many signatures went. Audited under
    the organiser who asked for it."""
    erased = await erasure.purge(svc, campaign, start, end)
    await audit(
        svc, user_id, "purge", f"campaign={campaign} from={start} to={end} rows={erased.rows}"
    )
    return erased.rows
