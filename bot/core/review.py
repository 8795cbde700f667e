"""/review, /hide and /unhide: organisers decide which public names appear.

Moderators and admins can both. A batch is approved only if it is still exactly what was
shown (compare-and-set on `bot.domain.review.batch_digest`: an edited name goes back to the
queue), each state moves only as `bot.domain.review.REVIEW_MOVES` allows, every decision is
audited, hiding draws on the organiser's hourly budget of destructive actions, and the
public list forgets its cached pages so it shows the decision at once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from bot.core import approvals
from bot.core.approvals import Asked
from bot.core.budgets import OverBudget
from bot.core.organisers import audit, within_budget
from bot.core.services import Services
from bot.domain.approvals import Kind as RequestKind
from bot.domain.budgets import Kind
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.domain.review import batch_digest
from bot.domain.signatories import Entry, Listing
from bot.storage import reports as report_store
from bot.storage import signatories as store
from bot.storage import signatures as signature_store

REPORTED_SHOWN = 10  # reported names on one /review screen, oldest signature first


@dataclass(frozen=True)
class Queue:
    """The batch an organiser is shown, how many wait in all, and what approving checks."""

    entries: list[Entry]
    waiting: int
    digest: str
    reported: list[tuple[Entry, int]]  # names readers reported as not signed by them


async def queue(
    svc: Services, campaign: Campaign, limit: int, fit: Callable[[list[Entry]], list[Entry]]
) -> Queue:
    """The oldest waiting names, at most `limit`, cut by `fit` to what one screen shows."""
    listing = Listing.of(campaign)
    entries = fit(await store.waiting(svc.db, campaign.slug, listing, limit))
    total = await store.waiting_count(svc.db, campaign.slug, listing)
    reported = await report_store.reported(svc.db, campaign.slug, REPORTED_SHOWN)
    return Queue(entries, total, batch_digest(campaign.slug, entries), reported)


async def _campaign_of(svc: Services, *numbers: int) -> Campaign | None:
    for number in numbers:
        found = await signature_store.by_number(svc.db, number)
        if found is not None:
            return svc.campaign(found[0].campaign)
    return None


@dataclass(frozen=True)
class Approval:
    campaign: Campaign
    approved: int | None  # None: the names changed since they were shown; nothing approved


async def approve(
    svc: Services, user_id: int, first: int, last: int, digest: str
) -> Approval | None:
    """Approves the batch `first`..`last` if it is still exactly what was shown (`digest`);
    None when its names are gone."""
    campaign = await _campaign_of(svc, first, last)
    if campaign is None:
        return None
    listing = Listing.of(campaign)
    count = await store.approve_batch(svc.db, campaign.slug, listing, first, last, digest)
    svc.forget_recent()
    if count > 0:
        detail = f"campaign={campaign.slug} numbers={first}-{last} approved={count}"
        await audit(svc, user_id, "review_approve", detail)
    return Approval(campaign, None if count < 0 else count)


async def hide_in_queue(svc: Services, user_id: int, number: int) -> Campaign | OverBudget | None:
    """Hides one name from the review queue's button (a destructive action: it draws on the
    hourly budget); its campaign, or None if there is no such named signature."""
    campaign = await _campaign_of(svc, number)
    if campaign is None:
        return None
    over = await within_budget(svc, user_id, Kind.DESTRUCTIVE)
    if over is not None:
        return over
    hidden = await store.hide(svc.db, number, _level(svc, user_id))
    svc.forget_recent()
    if not hidden:
        return None
    await audit(svc, user_id, "review_hide", f"campaign={campaign.slug} number={number}")
    return campaign


def _level(svc: Services, user_id: int) -> str:
    level = svc.level(user_id)
    assert level is not None, "only organisers hide"
    return level.value


class Outcome(enum.Enum):
    """What /hide or /unhide did."""

    CHANGED = "changed"
    NO_SIGNATURE = "no_signature"  # no signature with that number (or, to hide, no name)
    NOT_HIDDEN = "not_hidden"  # /unhide of a name that was not hidden


async def set_hidden(
    svc: Services, user_id: int, number: int, hidden: bool
) -> Outcome | OverBudget | Asked:
    """/hide (`hidden`: a destructive action, drawn from the hourly budget) or /unhide one
    name by its signature number. Unhiding a name an admin hid waits for a second admin
    while four eyes are in force (the Asked request)."""
    if hidden:
        found = await signature_store.by_number(svc.db, number)
        if found is None or not found[0].name:
            return Outcome.NO_SIGNATURE
        over = await within_budget(svc, user_id, Kind.DESTRUCTIVE)
        if over is not None:
            return over
    elif approvals.required(svc) and await store.hidden_by(svc.db, number) == Level.ADMIN.value:
        campaign = await _campaign_of(svc, number)
        slug = campaign.slug if campaign is not None else ""
        params = {"number": str(number)}
        return await approvals.ask(svc, user_id, RequestKind.UNHIDE, slug, 1, params)
    if hidden:
        changed = await store.hide(svc.db, number, _level(svc, user_id))
    else:
        changed = await store.unhide(svc.db, number)
    svc.forget_recent()
    if not changed:
        found = await signature_store.by_number(svc.db, number)
        if found is None or (hidden and not found[0].name):
            return Outcome.NO_SIGNATURE
        return Outcome.NOT_HIDDEN
    action = "review_hide" if hidden else "review_unhide"
    await audit(svc, user_id, action, f"number={number}")
    return Outcome.CHANGED


async def unhide_approved(svc: Services, requester: int, number: int) -> Outcome:
    """An approved /unhide, carried out for its requester (audited under them)."""
    changed = await store.unhide(svc.db, number)
    svc.forget_recent()
    if not changed:
        return Outcome.NOT_HIDDEN
    await audit(svc, requester, "review_unhide", f"number={number} approved=yes")
    return Outcome.CHANGED
