"""Which official bots the campaign set has, their roles (an admin's /bots, under four eyes when
they are in force), and the first start's adoption of what the single bot before them held
(bot.domain.bots)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core import approvals
from bot.core.approvals import Asked
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.approvals import Kind, Request
from bot.domain.bots import (
    OfficialBot,
    Refusal,
    Role,
    RoleChange,
    advertised,
    change_role,
    first_role,
)
from bot.storage import bots as bot_store

log = logging.getLogger(__name__)


async def settle(svc: Services, started: list[tuple[int, str]]) -> list[OfficialBot]:
    """Records the bots this process serves, in `BOT_TOKENS` order (getMe's id and username):
    one the database has not seen becomes the primary when there is none, else active. Rows
    from before reserve bots are then adopted by the primary. Returns every known bot."""
    for bot, username in started:
        role = first_role(await bot_store.known(svc.db))
        await bot_store.seen(svc.db, bot, username, role, svc.now())
    every = await load(svc)
    primary = next((b for b in every if b.role is Role.PRIMARY), None)
    if primary is not None:
        adopted = await bot_store.adopt(svc.db, primary.id)
        if adopted:
            log.info("%d rows from before reserve bots now belong to the primary bot", adopted)
    return every


async def load(svc: Services) -> list[OfficialBot]:
    """The bots and roles as the database holds them now, kept in `svc.bots` (read again when
    another worker changed them, bot.core.workers)."""
    every = await bot_store.known(svc.db)
    svc.bots = tuple(every)
    return every


def official_usernames(svc: Services) -> list[str]:
    """The usernames supporters are told, primary first (/help, the thank-you message, the
    public page); a dormant bot's never."""
    return [bot.username for bot in advertised(svc.bots)]


@dataclass(frozen=True)
class Changed:
    """A role changed: what it was asked to be, and the former primary that became active."""

    change: RoleChange


async def set_role(
    svc: Services, user_id: int, ref: str, role_name: str
) -> Changed | Refusal | Asked:
    """An admin's /bots role: refused with the reason, asked of a second admin while four eyes
    are in force, or done (audited). Checked against the roles as the database holds them
    now (a bot another worker started is known too)."""
    checked = change_role(await load(svc), ref, role_name)
    if isinstance(checked, Refusal):
        return checked
    if approvals.required(svc):
        params = {
            "bot": str(checked.bot.id),
            "username": checked.bot.username,
            "role": checked.role.value,
        }
        return await approvals.ask(svc, user_id, Kind.BOT_ROLE, "", 0, params)
    return await _apply(svc, user_id, checked)


async def set_role_approved(svc: Services, requester: int, request: Request) -> Changed | Refusal:
    """A change a second admin approved, checked again against the roles as they are now
    (another change may have come first), then done for its requester."""
    checked = change_role(await load(svc), request.params["bot"], request.params["role"])
    if isinstance(checked, Refusal):
        return checked
    return await _apply(svc, requester, checked)


async def _apply(svc: Services, user_id: int, change: RoleChange) -> Changed | Refusal:
    if not await bot_store.set_role(svc.db, change.bot.id, change.role):
        return Refusal.UNKNOWN_BOT
    await load(svc)
    svc.changed.add("bots")
    await audit(svc, user_id, "bot_role", f"bot={change.bot.id} role={change.role.value}")
    return Changed(change)
