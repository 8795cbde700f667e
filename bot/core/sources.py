"""/source: named links that tell organisers where signers come from (counts only, through
bot.domain.aggregates: a link used by fewer than `SMALL_COUNT` people shows as nobody's)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.aggregates import Shown, merge_small
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
    other: tuple[Shown, Shown] | None
    others: list[Source]
    other_threshold: int  # SMALL_COUNT, for saying what "other" holds


async def listing(svc: Services) -> Listing:
    """Every source through the rule; the visitors without a link are counted in "other"."""
    found = await source_store.with_counts(svc.db)
    by_code = {code: Source(code, kind, label) for code, kind, label, _, _ in found}
    table = merge_small(
        {code: (visits, signed) for code, _, _, visits, signed in found},
        svc.settings.small_count,
        anchor=DIRECT,
    )
    other = (table.other[0], table.other[1]) if table.other is not None else None
    return Listing(
        rows=[(by_code[code], visits, signed) for code, (visits, signed) in table.rows],
        other=other,
        others=[by_code[code] for code in table.members if code != DIRECT],
        other_threshold=svc.settings.small_count,
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
