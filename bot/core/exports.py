"""/export: a campaign's signatures (CSV, JSON, list, PDF) or its funnel, written to a file.

Names leave the server only through the formats that hold them, and those are an admin's
alone (`permitted`); the list and the PDF name public signatories only, whatever is asked.
Every export is audited.
"""

from __future__ import annotations

import asyncio

from bot.core import approvals
from bot.core.approvals import Asked
from bot.core.organisers import audit
from bot.core.services import Services
from bot.core.stats import funnel_table
from bot.domain.aggregates import Shown
from bot.domain.approvals import Kind
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.domain.signatories import Listing, Place
from bot.domain.versions import Confirmed, confirmed
from bot.exports import FORMATS, PUBLIC_NAMES_ONLY, tabular
from bot.exports.pdf import write_pdf
from bot.exports.spool import Spool
from bot.exports.versions import confirmed_line
from bot.i18n import Translator
from bot.storage import admin as admin_store
from bot.storage import campaigns as campaign_store
from bot.storage import funnel as funnel_store
from bot.storage import signatories as signatory_store
from bot.storage import signatures as signature_store
from bot.storage import sources as source_store


def permitted(level: Level | None, fmt: str) -> bool:
    """Whether an organiser of `level` may export `fmt`: formats with names need an admin."""
    return not FORMATS[fmt].holds_names or (level is not None and level.covers(Level.ADMIN))


async def allowed(svc: Services, user_id: int, fmt: str) -> bool:
    """`permitted` for this organiser; a refusal is audited."""
    if permitted(svc.level(user_id), fmt):
        return True
    await audit(svc, user_id, "refused", f"command=export format={fmt}")
    return False


async def signature_total(svc: Services, campaign: Campaign) -> int:
    """Every signature of the campaign, named or not, anonymised or not (the PDF's total; the
    progress message): the counter."""
    return await signature_store.count(svc.db, campaign.slug)


async def ask_second_admin(
    svc: Services, user_id: int, campaign: Campaign, fmt: str, language: str, public_only: bool
) -> Asked | None:
    """While four eyes are in force, an export holding names waits for a second admin (the
    request, with the number of signatures it concerns); None: it may be written now."""
    if not FORMATS[fmt].holds_names or not approvals.required(svc):
        return None
    total = await signature_total(svc, campaign)
    params = {"format": fmt, "language": language, "public": "1" if public_only else "0"}
    return await approvals.ask(svc, user_id, Kind.EXPORT, campaign.slug, total, params)


async def versions_confirmed(svc: Services, campaign: Campaign) -> Confirmed:
    """Which texts the signers confirmed, with counts under the small-count rule."""
    counts = await campaign_store.signed_per_version(svc.db, campaign.slug)
    return confirmed(counts, svc.history, campaign.slug, svc.settings.small_count)


async def write(
    svc: Services,
    user_id: int,
    campaign: Campaign,
    fmt: str,
    t: Translator,
    spool: Spool,
    total: int,
    public_names_only: bool,
) -> int:
    """Writes the signatures in `fmt` (not "funnel") to `spool`; the records written.

    With `public_names_only`, CSV and JSON hold only the signatures the documents name.
    """
    if not permitted(svc.level(user_id), fmt):
        raise PermissionError(f"/export {fmt} is an admin's")
    db = svc.db
    with spool.writer() as out:
        if fmt in ("csv", "json"):
            shown = Listing.of(campaign) if public_names_only else None
            batches = admin_store.export_batches(db, campaign.slug, shown=shown)
            reviewed = campaign.review_public_names
            if fmt == "csv":
                rows = await tabular.write_csv(batches, out, reviewed)
            else:
                rows = await tabular.write_json(batches, out, campaign.slug, svc.now(), reviewed)
        else:
            listing = Listing.of(campaign)
            names = signatory_store.documents(db, campaign.slug, listing)
            if fmt == "list":
                rows = await tabular.write_list(names, out)
            else:
                public = await signatory_store.count(db, campaign.slug, listing, Place.DOCUMENTS)
                versions = confirmed_line(t, await versions_confirmed(svc, campaign))
                await write_pdf(out, campaign, t, names, total, public, svc.now(), versions)
                rows = total
    detail = f"campaign={campaign.slug} format={fmt} rows={rows}"
    if public_names_only:
        detail += f" {PUBLIC_NAMES_ONLY}"
    await audit(svc, user_id, "export", detail)
    return rows


async def write_funnel(svc: Services, user_id: int, campaign: Campaign, spool: Spool) -> int:
    """The daily funnel counts as CSV into `spool`, each day's sources through the rule of
    bot.domain.aggregates (`funnel_table`); the rows written. Aggregates only."""
    days = await funnel_store.daily_rows(svc.db, campaign.slug)
    codes = await source_store.codes(svc.db)
    labels = await admin_store.source_labels(svc.db, codes)
    rows: list[tuple[int, str | None, tuple[Shown, ...]]] = []
    for day, per_source in days.items():
        table = funnel_table(per_source, codes, svc.settings.small_count)
        rows += [(day, labels.get(code, code), counts) for code, counts in table.rows]
        if table.other is not None:
            rows.append((day, None, table.other))
    with spool.writer() as out:
        count = await asyncio.to_thread(tabular.write_funnel, rows, out)
    await audit(svc, user_id, "export", f"campaign={campaign.slug} format=funnel")
    return count
