"""/source: named links that tell organisers where signers come from (counts only, through
bot.domain.aggregates: a link used by fewer than `SMALL_COUNT` people shows as nobody's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.aggregates import Merged, Shown, merge_small, shown
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.domain.text_rules import clean_label
from bot.storage import sources as source_store

DIRECT = ""  # visitors without a link: always in "other"


@dataclass(frozen=True)
class Source:
    code: str
    kind: str  # "group", "named" or "inline"
    label: str


@dataclass(frozen=True)
class Listing:
    """What /source shows: the sources counted on their own, exact (visits, signatures), then
    the others' sum, and which sources that sum holds (without their counts)."""

    rows: list[tuple[Source, int, int]]
    other: tuple[Shown, Shown]
    others: list[Source]
    other_threshold: int  # SMALL_COUNT, for saying what "other" holds


def campaign_table(
    counts: Mapping[str, tuple[int, int]], codes: Iterable[str], small: int
) -> Merged[str]:
    """One campaign's sources through the rule: (signatures brought, visits) of every known
    source, zeros included, and of the visitors without a link. /stats shows this table, and
    /source shows the sum of these tables over the campaigns, so neither tells more than the
    other."""
    cells = {code: (0, 0) for code in (DIRECT, *codes)}
    cells.update(counts)
    return merge_small(cells, small, anchor=DIRECT)


async def listing(svc: Services) -> Listing:
    """Every source through the rule, campaign by campaign, then summed: a source's figures
    are the sum of what each campaign's /stats shows of it, and all the rest (always the
    visitors without a link) is "other". Summing raw counts over campaigns instead would let
    a source shown here, minus what /stats shows of it, reveal its count in another campaign.
    """
    small = svc.settings.small_count
    found = await source_store.with_counts(svc.db)
    sources = {code: Source(code, kind, label) for code, kind, label, *_ in found}
    campaigns: dict[str, dict[str, tuple[int, int]]] = {}
    for code, _, _, campaign, visits, signed in found:
        if campaign is not None:
            campaigns.setdefault(campaign, {})[code] = (signed, visits)
    counted: dict[str, tuple[int, int]] = {}
    rest = [0, 0]
    for counts in campaigns.values():
        table = campaign_table(counts, sources, small)
        for code, (signed, visits) in table.rows:
            before = counted.get(code, (0, 0))
            counted[code] = (before[0] + visits, before[1] + signed)
        for code in table.members:
            signed, visits = counts.get(code, (0, 0))
            rest = [rest[0] + visits, rest[1] + signed]
    return Listing(
        rows=[(sources[c], *counted[c]) for c in sources if c in counted],
        other=(shown(rest[0], small), shown(rest[1], small)),
        others=[s for c, s in sources.items() if c != DIRECT and c not in counted],
        other_threshold=small,
    )


def permitted(level: Level | None) -> bool:
    """Whether an organiser of `level` may make a named link: an admin only (a moderator's
    account could otherwise mark a person with a link of their own)."""
    return level is not None and level.covers(Level.ADMIN)


async def allowed(svc: Services, user_id: int) -> bool:
    """`permitted` for this organiser; a refusal is audited."""
    if permitted(svc.level(user_id)):
        return True
    await audit(svc, user_id, "refused", "command=source new")
    return False


async def create_named(svc: Services, user_id: int, campaign: Campaign, label: str) -> str:
    """A new named link's source code, for sharing `campaign`; an admin's alone, audited with
    its label, so that a link made for one person is on the record."""
    if not permitted(svc.level(user_id)):
        raise PermissionError("/source new is an admin's")
    cleaned = clean_label(label)
    code = await source_store.create(svc.db, "named", cleaned, svc.now())
    await audit(svc, user_id, "source.new", f"campaign={campaign.slug} {code} label={cleaned}")
    return code
