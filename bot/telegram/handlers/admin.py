"""Organiser commands: /export, /stats, /goal, /backup, /reload (moderation and broadcasts live
in admin_moderation and admin_broadcast). In a private chat, at the level bot.telegram.permissions
gives each (/stats is a moderator's too, the rest admins' only); for anyone else these are
unknown commands. The use cases, and their audit trail, are in bot.core.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime

from telegram import Update
from telegram.constants import ParseMode

from bot.config import SUPPORTED_LANGUAGES
from bot.core import approvals, exports, goals, organisers, stats
from bot.core.content import ContentError
from bot.domain.campaigns import Campaign
from bot.exports import FORMATS, PUBLIC_NAMES_ONLY, chart
from bot.exports.versions import confirmed_line
from bot.i18n import Translator
from bot.telegram.context import BotApp, BotContext
from bot.telegram.four_eyes import ask_second_admin
from bot.telegram.handlers import admin_broadcast, admin_moderation, purge
from bot.telegram.handlers.admin_common import (
    admin_id,
    ask_campaign,
    pick_campaign,
    register_commands,
    reply,
    send_files,
    spool_for,
)
from bot.telegram.handlers.base import CallbackRoute
from bot.telegram.views.admin import (
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
    user_id = admin_id(update)
    if not await exports.allowed(svc, user_id, fmt):
        head = t._("Only admins can export signatures.")
        await reply(update, context, refusal(t, "export", head))
        return
    if fmt == "funnel":
        await _funnel_export(update, context, t, campaign)
        return
    asked = await exports.ask_second_admin(svc, user_id, campaign, fmt, language, public_names_only)
    if asked is not None:
        await ask_second_admin(update, context, t, asked)
        return
    await deliver_export(context, t, user_id, campaign, fmt, language, public_names_only)


async def deliver_export(
    context: BotContext,
    t: Translator,
    user_id: int,
    campaign: Campaign,
    fmt: str,
    language: str,
    public_names_only: bool,
) -> None:
    """The export, written and sent to the private chat of `user_id` (who asked for it, also
    when a second admin's approval runs it), audited under them."""
    svc = context.svc
    started = svc.now()
    spec = FORMATS[fmt]
    total = await exports.signature_total(svc, campaign)
    progress = None
    if total >= PROGRESS_AFTER:
        progress = await context.bot.send_message(
            user_id, esc(t._("Preparing the export…")), parse_mode=ParseMode.HTML
        )
    filename = f"{campaign.slug}-signatures-{_stamp(svc.now())}.{spec.extension}"
    with tempfile.TemporaryDirectory(prefix="petition-export-") as tmp:
        spool = spool_for(context, tmp, filename, holds_names=spec.holds_names)
        rows = await exports.write(
            svc, user_id, campaign, fmt, svc.i18n.get(language), spool, total, public_names_only
        )
        versions = confirmed_line(t, await exports.versions_confirmed(svc, campaign))
        caption = export_caption(t, campaign, rows, fmt, public_names_only, started, versions)
        await send_files(context, t, user_id, spool, filename, caption)
    if progress is not None:
        await context.bot.edit_message_text(
            esc(t._("The export is ready: {count} records.")).format(count=t.number(rows)),
            chat_id=user_id,
            message_id=progress.message_id,
            parse_mode=ParseMode.HTML,
        )


async def _funnel_export(
    update: Update, context: BotContext, t: Translator, campaign: Campaign
) -> None:
    """The daily funnel counts as CSV: aggregates only, so never encrypted or refused."""
    svc = context.svc
    filename = f"{campaign.slug}-funnel-{_stamp(svc.now())}.csv"
    with tempfile.TemporaryDirectory(prefix="petition-export-") as tmp:
        spool = spool_for(context, tmp, filename, holds_names=False)
        count = await exports.write_funnel(svc, admin_id(update), campaign, spool)
        caption = esc(t._("{title}: the funnel, {count} daily rows (counts only)")).format(
            title=user_text(title_of(campaign, t)), count=t.number(count)
        )
        await send_files(context, t, _chat_id(update), spool, filename, caption)


async def stats_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None or rest:
        await ask_campaign(update, context, t, t._("Usage: /stats [campaign]"))
        return
    report = await stats.report(svc, admin_id(update), campaign)
    today = datetime.fromtimestamp(svc.now(), UTC).date()
    png = await asyncio.to_thread(
        chart.draw,
        report.per_day,
        today,
        t._("Signatures per day, last 30 days (UTC)"),
        report.conversion,
        t._("share of visitors who signed"),
        t._("pale: fewer than {count}").format(count=t.number(svc.settings.small_count)),
    )
    await context.bot.send_photo(
        _chat_id(update),
        photo=png,
        filename="stats.png",
        caption=stats_caption(t, campaign, report, svc.settings.small_count),
        parse_mode=ParseMode.HTML,
    )
    # The funnel beside the chart: a photo caption holds only 1,024 characters.
    funnel = funnel_text(t, report, svc.settings.small_count)
    await reply(update, context, funnel)


async def goal_command(update: Update, context: BotContext, t: Translator, args: list[str]) -> None:
    svc = context.svc
    campaign, rest = pick_campaign(svc, args)
    if campaign is None:
        await ask_campaign(update, context, t, goal_usage(t))
        return
    action = rest[0].lower() if rest else ""
    value = "".join(rest[1:]).lower()
    if action == "next" and value in ("off", "none", "0"):
        await goals.set_next_goal(svc, admin_id(update), campaign, None)
    elif action == "next" and value.isascii() and value.isdigit():
        refused = await goals.set_next_goal(svc, admin_id(update), campaign, int(value))
        if refused is not None:
            await reply(
                update,
                context,
                esc(t._("The next goal must be above the current count ({count}).")).format(
                    count=t.number(refused.count)
                ),
            )
            return
    elif action == "ladder" and value == "default":
        await goals.set_ladder(svc, admin_id(update), campaign, None)
    elif action == "ladder" and (ladder := parse_ladder(value)) is not None:
        await goals.set_ladder(svc, admin_id(update), campaign, ladder)
    elif action:
        await reply(update, context, esc(goal_usage(t)))
        return
    progress = await svc.progress(campaign)
    await reply(update, context, goal_view(t, campaign, progress))


async def backup_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    if context.svc.settings.database_url:  # the bot's copy is of a SQLite file
        text = t._(
            "This bot keeps its data on a PostgreSQL server: back it up there with pg_dump, "
            "encrypted before it is written (README, PostgreSQL)."
        )
        await reply(update, context, esc(text))
        return
    asked = await approvals.ask_for_backup(context.svc, admin_id(update))
    if asked is not None:
        await ask_second_admin(update, context, t, asked)
        return
    await deliver_backup(context, t, admin_id(update))


async def deliver_backup(context: BotContext, t: Translator, user_id: int) -> None:
    """A copy of the database, sent to the private chat of `user_id` (who asked for it)."""
    svc = context.svc
    stamp = datetime.fromtimestamp(svc.now(), UTC).strftime("%Y-%m-%d-%H%M")
    filename = f"petition-bot-backup-{stamp}.sqlite3"
    with tempfile.TemporaryDirectory(prefix="petition-backup-") as tmp:
        spool = spool_for(context, tmp, filename, holds_names=True)
        await organisers.copy_database(svc, user_id, spool)
        caption = backup_caption(t, encrypted=spool.sealed)
        await send_files(context, t, user_id, spool, filename, caption)


async def reload_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    svc = context.svc
    root = svc.settings.campaigns_dir
    try:
        count, ignored = await organisers.reload_campaigns(svc, admin_id(update))
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
        return
    text = esc(
        t.ngettext("Reloaded {count} campaign.", "Reloaded {count} campaigns.", count)
    ).format(count=t.number(count))
    if ignored:
        folders = ", ".join(f"<code>{esc(slug)}</code>" for slug in ignored)
        text += "\n" + esc(
            t._("Folders left unused, as the database owns these campaigns: {folders}")
        ).format(folders=folders)
    await reply(update, context, text)


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
    return {
        **admin_moderation.register(app),
        **admin_broadcast.register(app),
        **purge.register(app),
    }
