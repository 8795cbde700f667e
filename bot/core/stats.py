"""/stats: a campaign's numbers, its last 30 days and its funnel, for organisers.

Counts only, and every one of them through bot.domain.aggregates: a source or language with
fewer than `SMALL_COUNT` signatures never shows as itself. Raw counts do not leave this module.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from bot.config import SUPPORTED_LANGUAGES
from bot.core.organisers import audit
from bot.core.services import Services
from bot.core.sources import campaign_table
from bot.domain.aggregates import Merged, Shown, merge_small, shown
from bot.domain.campaigns import Campaign
from bot.domain.stats import Totals
from bot.storage import admin as admin_store
from bot.storage import funnel as funnel_store
from bot.storage import sources as source_store

DAYS = 30  # the chart's span
DIRECT = ""  # the source code of visitors who came without a link: always in "other"


@dataclass(frozen=True)
class Report:
    total: int  # the campaign's count, public on its card anyway
    today: Shown
    week: Shown
    withdrawals: Shown  # by the signers themselves
    removals: Shown  # by organisers: /remove and /block
    today_erased: Shown  # withdrawn or removed today, and in the last 7 days
    week_erased: Shown
    languages: Merged[str]  # (signatures,) per language code
    sources: Merged[str]  # (signatures brought, visits) per source code
    per_day: list[Shown]  # signatures per UTC day, oldest first, the last being today
    conversion: list[float | None]  # signed / opened per day; None when either is small
    funnel: tuple[Shown, ...]  # the campaign's whole life, in bot.domain.stats.Totals' order
    funnel_sources: Merged[str]  # the same per source
    labels: dict[str, str]  # source code -> its name, for every code above


def funnel_table(per_source: dict[str, Totals], codes: list[str], small: int) -> Merged[str]:
    """The funnel's sources through the rule, every known source a row (zeros too)."""
    cells = {code: astuple(Totals()) for code in [DIRECT, *codes]}
    cells.update({code: astuple(totals) for code, totals in per_source.items()})
    return merge_small(cells, small, anchor=DIRECT)


async def report(svc: Services, user_id: int, campaign: Campaign) -> Report:
    """Everything /stats shows (the request is audited)."""
    now, small = svc.now(), svc.settings.small_count
    stats = await admin_store.stats(svc.db, campaign.slug, now)
    per_day = await admin_store.per_day(svc.db, campaign.slug, now, DAYS)
    visits = await funnel_store.per_day(svc.db, campaign.slug, now, DAYS)
    per_source = await funnel_store.totals(svc.db, campaign.slug)
    codes = await source_store.codes(svc.db)
    brought = await source_store.for_campaign(svc.db, campaign.slug)
    languages = {code: (0,) for code in SUPPORTED_LANGUAGES}
    languages.update({code: (n,) for code, n in stats.by_language.items()})
    overall = sum(per_source.values(), Totals())
    labels = await admin_store.source_labels(svc.db, codes)
    await audit(svc, user_id, "stats", f"campaign={campaign.slug}")
    return Report(
        total=stats.total,
        today=shown(stats.today, small),
        week=shown(stats.week, small),
        withdrawals=shown(stats.withdrawals, small),
        removals=shown(stats.removals, small),
        today_erased=shown(stats.today_erased, small),
        week_erased=shown(stats.week_erased, small),
        languages=merge_small(languages, small),
        sources=campaign_table(brought, codes, small),
        per_day=[shown(n, small) for n in per_day],
        conversion=[
            signed / opened if min(opened, signed) >= small else None for opened, signed in visits
        ],
        funnel=tuple(shown(n, small) for n in astuple(overall)),
        funnel_sources=funnel_table(per_source, codes, small),
        labels=labels,
    )
