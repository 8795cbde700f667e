"""/source: named links that tell organisers where signers come from (counts only)."""

from __future__ import annotations

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.text_rules import clean_label
from bot.storage import sources as source_store


async def with_counts(svc: Services) -> list[tuple[str, str, str, int, int]]:
    """Each source (code, kind, label) with its visits and the signatures it brought."""
    return await source_store.with_counts(svc.db)


async def create_named(svc: Services, user_id: int, campaign: Campaign, label: str) -> str:
    """A new named link's source code, for sharing `campaign` (the creation is audited)."""
    code = await source_store.create(svc.db, "named", clean_label(label), svc.now())
    await audit(svc, user_id, "source.new", f"campaign={campaign.slug} {code}")
    return code
