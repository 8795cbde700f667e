"""Four eyes (bot.domain.approvals): asking a second admin, deciding, expiring.

The handlers of the guarded actions ask `required` first; when it holds they `ask` instead of
acting, and the action runs only after another admin's press `decide`s APPROVE. Each request,
decision and expiry is audited here, so no caller can forget the trail. The requester is kept as
the audit log's keyed hash; `organiser_of` finds their Telegram id among the configured ones
when the result must reach them, so the table never holds an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain import approvals
from bot.domain.approvals import Kind, Request, Status, Verdict
from bot.storage import admin as admin_store
from bot.storage import approvals as store
from bot.storage import signatures as signature_store

_ACTIONS = {
    Verdict.APPROVE: "approval_approved",
    Verdict.REFUSE: "approval_refused",
    Verdict.WITHDRAW: "approval_withdrawn",
    Verdict.OWN: "approval_own_refused",
    Verdict.EXPIRED: "approval_too_late",
}


def required(svc: Services) -> bool:
    """Whether the guarded actions wait for a second admin now."""
    settings = svc.settings
    return approvals.in_force(len(settings.admin_ids), settings.four_eyes)


def ref(svc: Services, user_id: int) -> str:
    """An organiser as the audit log and the approvals table know them."""
    return admin_store.organiser_ref(svc.settings.signer_key, user_id)


def organiser_of(svc: Services, request: Request) -> int | None:
    """The requester's Telegram id, found among ADMIN_IDS and MODERATOR_IDS by the keyed
    hash; None when they are no longer an organiser."""
    settings = svc.settings
    for user_id in sorted(settings.admin_ids | settings.moderator_ids):
        if ref(svc, user_id) == request.requester:
            return user_id
    return None


def _detail(request: Request) -> str:
    campaign = f" campaign={request.campaign}" if request.campaign else ""
    return f"id={request.id} kind={request.kind.value}{campaign} rows={request.rows}"


@dataclass(frozen=True)
class Asked:
    """A guarded action turned into a request; `new` is False when the same request was
    already waiting (a redelivered update, a repeated command): it is not announced twice."""

    request: Request
    new: bool


async def ask(
    svc: Services,
    user_id: int,
    kind: Kind,
    campaign: str,
    rows: int,
    params: Mapping[str, str],
) -> Asked:
    """The request waiting for a second admin, audited when it is new."""
    level = svc.level(user_id)
    assert level is not None, "only organisers ask"
    now = svc.now()
    expires = now + svc.settings.approval_minutes * 60
    request, new = await store.ask(
        svc.db, kind, campaign, ref(svc, user_id), level.value, rows, params, now, expires
    )
    if new:
        await audit(svc, user_id, "approval_request", _detail(request))
    return Asked(request, new)


@dataclass(frozen=True)
class Decision:
    """What a press on a request did: `verdict`, and `request` when it was one to decide
    (None: gone — decided, expired and cleared, or never there)."""

    verdict: Verdict | None
    request: Request | None


async def ask_for_backup(svc: Services, user_id: int) -> Asked | None:
    """While four eyes are in force, /backup waits for a second admin (the request, with
    every signature the copy holds); None: the copy may be made now."""
    if not required(svc):
        return None
    rows = 0
    for campaign in await signature_store.campaigns_with_signatures(svc.db):
        rows += await signature_store.count(svc.db, campaign)
    return await ask(svc, user_id, Kind.BACKUP, "", rows, {})


async def decide(svc: Services, user_id: int, request_id: int, approve: bool) -> Decision:
    """An admin's Approve or Refuse. Only the first press moves a pending request (a double
    tap or a redelivered update finds it decided); the requester may withdraw, never approve.
    An approved request is carried out by the caller, then `done`."""
    request = await store.get(svc.db, request_id)
    if request is None or request.status is not Status.PENDING:
        return Decision(None, None)
    now = svc.now()
    verdict = approvals.judge(request, ref(svc, user_id), approve, now)
    target = {Verdict.APPROVE: Status.APPROVED, Verdict.REFUSE: Status.REFUSED}.get(verdict)
    if verdict is Verdict.WITHDRAW:
        target = Status.REFUSED
    if target is not None:
        if not await store.move(svc.db, request.id, target, now):
            return Decision(None, None)
        if target is Status.REFUSED:
            await store.delete(svc.db, request.id)
    await audit(svc, user_id, _ACTIONS[verdict], _detail(request))
    return Decision(verdict, request)


async def done(svc: Services, request: Request) -> None:
    """An approved request was carried out (or could not be): its row goes."""
    await store.delete(svc.db, request.id)


async def expire_due(svc: Services) -> list[Request]:
    """Requests whose window closed undecided: each expires once (audited under its
    requester) and its row goes; the caller tells every admin. An approved row a crash left
    behind goes too, never carried out a second time."""
    now = svc.now()
    expired = []
    for request in await store.due(svc.db, now):
        if request.status is Status.PENDING and await store.move(
            svc.db, request.id, Status.EXPIRED, now
        ):
            await admin_store.audit_as(
                svc.db, request.requester, request.level, "approval_expired", _detail(request), now
            )
            expired.append(request)
        await store.delete(svc.db, request.id)
    return expired
