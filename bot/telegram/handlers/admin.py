"""Organiser commands: /export, /stats, /goal, /backup, /reload (moderation and broadcasts live
in admin_moderation and admin_broadcast). In a private chat, at the level bot.telegram.menus gives each
(/stats is a moderator's too, the rest admins' only); for anyone else these are unknown commands.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode

from bot.config import SUPPORTED_LANGUAGES
from bot.core.content import ContentError, load_campaigns
from bot.domain.campaigns import Campaign
from bot.domain.goals import override_allowed
from bot.domain.organisers import Level
from bot.domain.signatories import Listing, Place
from bot.exports import FORMATS, chart, tabular
from bot.exports.pdf import write_pdf
from bot.i18n import Translator
from bot.storage import admin as admin_store
from bot.storage import funnel as funnel_store
from bot.storage import signatories as signatory_store
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import admin_broadcast, admin_moderation
from bot.telegram.handlers.admin_common import (
    admin_id,
    ask_campaign,
    audit,
    organiser_level,
    pick_campaign,
    register_commands,
    reply,
    send_files,
)
from bot.telegram.handlers.base import CallbackRoute
from bot.telegram.views.admin import (
    PUBLIC_NAMES_ONLY,
    backup_caption,
    export_caption,
    export_usage,
    funnel_text,
    goal_usage,
    goal_view,
    parse_ladder,
    refusal,
    stats_caption,
    title_of,
)
from bot.telegram.views.common import esc, user_text

# Exports with at least this many signatures get a "Preparing the export…" message first.
PROGRESS_AFTER = 2000


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _stamp(now: int) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")


async def export_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    usage = export_usage(t)
    campaign, rest = pick_campaign(svc, args)
    if campaign is None:
        await ask_campaign(update, context, t, usage)
        return
    fmt, language, public_names_only = "csv", t.language, False
    for arg in (a.lower() for a in rest):
        if arg in FORMATS:
            fmt = arg
        elif arg in SUPPORTED_LANGUAGES:
            language = arg
        elif arg == PUBLIC_NAMES_ONLY:
            public_names_only = True
        else:
            await reply(update, context, esc(usage))
            return
    started = svc.now()
    spec = FORMATS[fmt]
    level = organiser_level(update, context)
    if spec.holds_names and (level is None or not level.covers(Level.ADMIN)):
        await reply(update, context, refusal(t, "export"))
        await audit(context, admin_id(update), "refused", f"command=export format={fmt}")
        return
    if fmt == "funnel":
        await _funnel_export(update, context, t, campaign)
        return
    total = await admin_store.signature_total(svc.db, campaign.slug)
    progress = None
    if total >= PROGRESS_AFTER:
        progress = await reply(update, context, esc(t._("Preparing the export…")))
    filename = f"{campaign.slug}-signatures-{_stamp(svc.now())}.{spec.extension}"
    with tempfile.TemporaryDirectory(prefix="petition-export-") as tmp:
        path = Path(tmp) / filename
        rows = await _write_export(
            context, campaign, fmt, svc.i18n.get(language), path, total, public_names_only
        )
        caption = export_caption(t, campaign, rows, fmt, public_names_only, started)
        await send_files(
            context, t, _chat_id(update), path, filename, caption, holds_names=spec.holds_names
        )
    if progress is not None:
        await context.bot.edit_message_text(
            esc(t._("The export is ready: {count} records.")).format(count=t.number(rows)),
            chat_id=_chat_id(update),
            message_id=progress,
            parse_mode=ParseMode.HTML,
        )
    detail = f"campaign={campaign.slug} format={fmt} rows={rows}"
    if public_names_only:
        detail += f" {PUBLIC_NAMES_ONLY}"
    await audit(context, admin_id(update), "export", detail)


async def _funnel_export(
    update: Update, context: BotContext, t: Translator, campaign: Campaign
) -> None:
    """The hourly funnel counts as CSV: aggregates only, so never encrypted or refused."""
    svc = context.svc
    rows = await funnel_store.hourly_rows(svc.db, campaign.slug)
    labels = await admin_store.source_labels(svc.db, sorted({r[1] for r in rows if r[1]}))
    filename = f"{campaign.slug}-funnel-{_stamp(svc.now())}.csv"
    with tempfile.TemporaryDirectory(prefix="petition-export-") as tmp:
        path = Path(tmp) / filename
        count = await asyncio.to_thread(tabular.write_funnel, rows, labels, path)
        caption = esc(t._("{title}: the funnel, {count} hourly rows (counts only)")).format(
            title=user_text(title_of(campaign, t)), count=t.number(count)
        )
        await send_files(context, t, _chat_id(update), path, filename, caption, holds_names=False)
    await audit(context, admin_id(update), "export", f"campaign={campaign.slug} format=funnel")


async def _write_export(
    context: BotContext,
    campaign: Campaign,
    fmt: str,
    t: Translator,
    path: Path,
    total: int,
    public_names_only: bool,
) -> int:
    """Writes the file; the list and the PDF name public signatories only, whatever is asked."""
    db = context.svc.db
    if fmt in ("csv", "json"):
        shown = Listing.of(campaign) if public_names_only else None
        batches = admin_store.export_batches(db, campaign.slug, shown=shown)
        if fmt == "csv":
            return await tabular.write_csv(batches, path)
        return await tabular.write_json(batches, path, campaign.slug, context.svc.now())
    listing = Listing.of(campaign)
    names = signatory_store.documents(db, campaign.slug, listing)
    if fmt == "list":
        return await tabular.write_list(names, path)
    public = await signatory_store.count(db, campaign.slug, listing, Place.DOCUMENTS)
    await write_pdf(path, campaign, t, names, total, public, context.svc.now())
    return total


async def stats_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None or rest:
        await ask_campaign(update, context, t, t._("Usage: /stats [campaign]"))
        return
    now = svc.now()
    stats = await admin_store.stats(svc.db, campaign.slug, now)
    labels = await admin_store.source_labels(svc.db, [code for code, _, _ in stats.by_source])
    per_day = await admin_store.per_day(svc.db, campaign.slug, now, 30)
    visits = await funnel_store.per_day(svc.db, campaign.slug, now, 30)
    conversion = [signed / opened if opened else None for opened, signed in visits]
    today = datetime.fromtimestamp(now, UTC).date()
    png = await asyncio.to_thread(
        chart.draw,
        per_day,
        today,
        t._("Signatures per day, last 30 days (UTC)"),
        conversion,
        t._("share of visitors who signed"),
    )
    await context.bot.send_photo(
        _chat_id(update),
        photo=png,
        filename="stats.png",
        caption=stats_caption(t, campaign, stats, labels),
        parse_mode=ParseMode.HTML,
    )
    # The funnel beside the chart: a photo caption holds only 1,024 characters.
    overall, per_source = await funnel_store.totals(svc.db, campaign.slug)
    source_names = await admin_store.source_labels(svc.db, [s for s in per_source if s])
    await reply(update, context, funnel_text(t, overall, per_source, source_names))
    await audit(context, admin_id(update), "stats", f"campaign={campaign.slug}")


async def goal_command(update: Update, context: BotContext, t: Translator, args: list[str]) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None:
        await ask_campaign(update, context, t, goal_usage(t))
        return
    action = rest[0].lower() if rest else ""
    value = "".join(rest[1:]).lower()
    if action == "next" and value in ("off", "none", "0"):
        await admin_store.set_goal_override(svc.db, campaign.slug, None)
        await audit(context, admin_id(update), "goal_next", f"campaign={campaign.slug} off")
    elif action == "next" and value.isascii() and value.isdigit():
        count = (await svc.progress(campaign)).count
        if not override_allowed(int(value), count):
            await reply(
                update,
                context,
                esc(t._("The next goal must be above the current count ({count}).")).format(
                    count=t.number(count)
                ),
            )
            return
        await admin_store.set_goal_override(svc.db, campaign.slug, int(value))
        await audit(context, admin_id(update), "goal_next", f"campaign={campaign.slug} {value}")
    elif action == "ladder" and value == "default":
        await admin_store.set_ladder(svc.db, campaign.slug, None)
        await audit(context, admin_id(update), "goal_ladder", f"campaign={campaign.slug} default")
    elif action == "ladder" and (ladder := parse_ladder(value)) is not None:
        await admin_store.set_ladder(svc.db, campaign.slug, ladder.steps)
        detail = ",".join(map(str, ladder.steps))
        await audit(context, admin_id(update), "goal_ladder", f"campaign={campaign.slug} {detail}")
    elif action:
        await reply(update, context, esc(goal_usage(t)))
        return
    progress = await svc.progress(campaign)
    await reply(update, context, goal_view(t, campaign, progress))


async def backup_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    now = svc.now()
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d-%H%M")
    filename = f"petition-bot-backup-{stamp}.sqlite3"
    with tempfile.TemporaryDirectory(prefix="petition-backup-") as tmp:
        path = Path(tmp) / filename
        await svc.db.backup_to(str(path))
        caption = backup_caption(t, encrypted=bool(svc.settings.backup_recipients))
        await send_files(context, t, _chat_id(update), path, filename, caption, holds_names=True)
    await audit(context, admin_id(update), "backup", "")


async def reload_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    root = svc.settings.campaigns_dir
    try:
        campaigns = await asyncio.to_thread(load_campaigns, root)
    except ContentError as exc:
        try:
            where = str(exc.path.resolve().relative_to(root.resolve()))
        except ValueError:
            where = str(exc.path)
        text = esc(
            t._(
                "Campaign content was not reloaded; the previous content stays in use.\n"
                "File: {file}\nField: {field}\nProblem: {problem}"
            )
        ).format(
            file=f"<code>{esc(where)}</code>",
            field=f"<code>{esc(exc.field)}</code>",
            problem=esc(exc.problem),
        )
        await reply(update, context, text)
        await audit(context, admin_id(update), "reload", "failed")
        return
    svc.campaigns = campaigns
    count = len(campaigns)
    await reply(
        update,
        context,
        esc(t.ngettext("Reloaded {count} campaign.", "Reloaded {count} campaigns.", count)).format(
            count=t.number(count)
        ),
    )
    await audit(context, admin_id(update), "reload", f"campaigns={count}")


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(
        app,
        {
            "export": export_command,
            "stats": stats_command,
            "goal": goal_command,
            "backup": backup_command,
            "reload": reload_command,
        },
    )
    return {**admin_moderation.register(app), **admin_broadcast.register(app)}
