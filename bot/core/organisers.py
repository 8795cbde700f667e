"""What organisers do to the bot itself, and the trail every organiser action leaves.

Organisers are admins (ADMIN_IDS: every power) and moderators (MODERATOR_IDS: day-to-day
moderation only); `Services.level` decides which, and bot.telegram.permissions which command
needs which. Every use case of an organiser records itself here (`audit`), so a handler cannot
forget the trail.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core import catalogue, review_default
from bot.core.budgets import OverBudget
from bot.core.content import ContentError
from bot.core.services import Services
from bot.domain.budgets import Kind, Verdict
from bot.exports.spool import Spool
from bot.storage import admin as admin_store
from bot.storage import budgets as budget_store
from bot.storage import state as state_store

log = logging.getLogger("bot.admin")

_MENUS = "menus"  # bot_state key (":<bot id>" after it): the digest of a bot's menus


async def audit(svc: Services, user_id: int, action: str, detail: str = "") -> None:
    """The audit row (a keyed hash of the organiser and their level, `translator` for one of
    TRANSLATOR_IDS) and an INFO log line.

    `detail` never holds names or Telegram ids.
    """
    level = svc.level(user_id)
    if level is not None:
        name = level.value
    else:
        assert user_id in svc.settings.translator_ids, "only organisers and translators"
        name = "translator"
    await admin_store.audit(
        svc.db, svc.settings.signer_key, user_id, name, action, detail, svc.now()
    )
    log.info("%s action: %s %s", name, action, detail)


async def within_budget(svc: Services, user_id: int, kind: Kind) -> OverBudget | None:
    """Draws one action of `kind` from the organiser's hourly budget: None when it fits;
    otherwise the refusal, audited here (the caller tells every admin when it says so)."""
    settings = svc.settings
    limit = settings.previews_per_hour if kind is Kind.PREVIEW else settings.destructive_per_hour
    organiser = svc.ids.derive("organiser-budget", str(user_id))
    decision = await budget_store.spend(svc.db, organiser, kind, svc.now(), limit)
    if decision.admitted:
        return None
    level = svc.level(user_id)
    assert level is not None, "only organisers have budgets"
    await audit(svc, user_id, "over_budget", f"kind={kind.value} limit={limit}")
    announce = decision.verdict is Verdict.REFUSED_FIRST
    return OverBudget(kind, level, limit, decision.retry_after, announce)


async def reload_campaigns(svc: Services, user_id: int) -> tuple[int, list[str]]:
    """The campaign files read again and put in use with the database's campaigns: how many
    campaigns there are now, and the folders ignored because the database owns their slug.

    A bad file raises ContentError, and the previous content stays in use.
    """
    try:
        ignored = await catalogue.reload(svc)
    except ContentError:
        await audit(svc, user_id, "reload", "failed")
        raise
    await review_default.settle(svc)  # a campaign loaded for the first time since the upgrade
    await audit(svc, user_id, "reload", f"campaigns={len(svc.campaigns)}")
    return len(svc.campaigns), ignored


async def copy_database(svc: Services, user_id: int, spool: Spool) -> None:
    """An on-demand copy of the whole database into `spool` (/backup): personal data, so it
    is made in memory and spooled sealed when BACKUP_RECIPIENTS is set (bot.exports.spool);
    the copy is audited."""
    image = await svc.db.backup_image()
    await asyncio.to_thread(spool.fill, image)
    await audit(svc, user_id, "backup")


async def menus_published(svc: Services, bot: int, digest: str) -> bool:
    """Whether the command menus with this digest were published already on this bot."""
    return await state_store.get(svc.db, f"{_MENUS}:{bot}") == digest


async def remember_menus(svc: Services, bot: int, digest: str) -> None:
    await state_store.put(svc.db, f"{_MENUS}:{bot}", digest)
