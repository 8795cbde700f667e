"""/stats: a campaign's numbers, its last 30 days and its funnel, for organisers.

Counts only: nothing here is about a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.campaigns import Campaign
from bot.domain.stats import Stats, Totals
from bot.storage import admin as admin_store
from bot.storage import funnel as funnel_store

DAYS = 30  # the chart's span


@dataclass(frozen=True)
class Report:
    stats: Stats
    per_day: list[int]  # signatures per UTC day, oldest first, the last being today
    conversion: list[float | None]  # signed / opened per day; None for a day nobody opened
    funnel: Totals  # the campaign's whole life
    funnel_by_source: dict[str, Totals]  # "" = direct
    labels: dict[str, str]  # source code -> its name, for every code above


async def report(svc: Services, user_id: int, campaign: Campaign) -> Report:
    """Everything /stats shows (the request is audited)."""
    now = svc.now()
    stats = await admin_store.stats(svc.db, campaign.slug, now)
    per_day = await admin_store.per_day(svc.db, campaign.slug, now, DAYS)
    visits = await funnel_store.per_day(svc.db, campaign.slug, now, DAYS)
    overall, per_source = await funnel_store.totals(svc.db, campaign.slug)
    codes = {code for code, _, _ in stats.by_source} | set(per_source)
    labels = await admin_store.source_labels(svc.db, sorted(code for code in codes if code))
    await audit(svc, user_id, "stats", f"campaign={campaign.slug}")
    return Report(
        stats=stats,
        per_day=per_day,
        conversion=[signed / opened if opened else None for opened, signed in visits],
        funnel=overall,
        funnel_by_source=per_source,
        labels=labels,
    )
