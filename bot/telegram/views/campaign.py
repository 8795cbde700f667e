"""Campaign card, full-text pages, decision makers, campaign list and progress."""

from __future__ import annotations

from enum import Enum

from telegram import InlineKeyboardButton

from bot.domain import goals
from bot.domain.campaigns import Campaign, CampaignText
from bot.domain.goals import Progress
from bot.domain.paging import paginate, paginate_items
from bot.domain.versions import Version
from bot.i18n import Translator
from bot.telegram.views.common import (
    Rows,
    View,
    button,
    esc,
    kept_keyboard,
    keyboard,
    rows,
    shorten,
)


def fallback_notice(t: Translator, campaign: Campaign) -> str:
    text, fell_back = campaign.text_for(t.language)
    if not fell_back:
        return ""
    line = t._("This text is not yet available in {language}; it is shown in {fallback}.")
    names = {"language": t.language_name(t.language), "fallback": t.language_name(text.language)}
    return f"ℹ️ <i>{esc(line.format(**names))}</i>\n\n"


def progress_lines(t: Translator, progress: Progress, is_open: bool = True) -> str:
    signed = t.ngettext("{count} signature", "{count} signatures", progress.count)
    signed = signed.format(count=t.number(progress.count))
    if not is_open:
        return "🔒 " + t._("Signing is closed. Final count: {signed}.").format(signed=signed)
    goal = t._("next goal {goal}").format(goal=t.number(progress.goal))
    bar = goals.progress_bar(progress.count, progress.goal)
    pct = esc(goals.percent(progress.count, progress.goal))
    line = f"📊 <b>{signed}</b> · {goal}\n{bar} {pct}%"
    if progress.recent:
        recent = t.ngettext(
            "+{count} in the last 24 hours", "+{count} in the last 24 hours", progress.recent
        )
        line += " · " + recent.format(count=t.number(progress.recent))
    # Why the goal matters ("at 15,000 we hand it over"); at most 200 characters, one line.
    meaning = progress.meaning.in_language(t.language)
    if meaning:
        line += f"\n🎯 <i>{esc(meaning)}</i>"
    return line


def safety_line(text: CampaignText) -> str:
    """The campaign's own warning, where it set one, with a blank line after it."""
    return f"⚠️ <i>{esc(text.safety)}</i>\n\n" if text.safety else ""


def card(
    t: Translator,
    campaign: Campaign,
    progress: Progress,
    changed: tuple[Version, Version] | None = None,
) -> View:
    """`changed`: (the earlier text, the one shown) when it replaced it once there were
    signatures (bot.domain.versions.History.changed)."""
    text, _ = campaign.text_for(t.language)
    kind = t._("Petition") if campaign.kind == "petition" else t._("Open letter")
    body = (
        f"{fallback_notice(t, campaign)}<b>{esc(text.title)}</b>\n<i>{esc(kind)}</i>\n\n"
        f"{esc(text.summary)}\n\n{safety_line(text)}"
        f"{progress_lines(t, progress, campaign.is_open)}"
    )
    if changed is not None:
        when = t._("The text changed on {date}.").format(date=t.date(changed[1].created_at))
        body += f"\n\n✏️ <i>{esc(when)}</i>"
    earlier = changed[0].version if changed is not None else None
    key = ("card", campaign.slug, campaign.is_open, campaign.signatories, earlier)
    return View(
        body, kept_keyboard(t, key, lambda: _card_rows(t, campaign, earlier)), harmless=True
    )


def _card_rows(t: Translator, campaign: Campaign, earlier: str | None) -> Rows:
    slug = campaign.slug
    first = [button("📖 " + t._("Read the full text"), "page", slug, 1)]
    if campaign.is_open:
        first.append(button("✍️ " + t._("Sign"), "sign", slug))
    older = [button("📜 " + t._("The earlier text"), "older", slug, earlier)] if earlier else []
    return rows(
        first,
        older,
        [
            button("🏛 " + t._("Decision makers"), "addr", slug, 1),
            button("📣 " + t._("Share"), "share", slug),
        ],
        [*_who_signed(t, campaign), button("🌐 " + t._("Language"), "lang")],
    )


def _who_signed(t: Translator, campaign: Campaign) -> list[InlineKeyboardButton]:
    """The public list's button, unless the campaign publishes none."""
    return (
        [button("👥 " + t._("Who signed"), "who", campaign.slug, 0)] if campaign.signatories else []
    )


def text_page(t: Translator, campaign: Campaign, page: int) -> View:
    text, _ = campaign.text_for(t.language)
    pages = paginate(text.paragraphs)
    page = min(max(page, 1), len(pages))
    header = f"{fallback_notice(t, campaign) if page == 1 else ''}<b>{esc(text.title)}</b>\n\n"
    footer = "\n\n<i>{}</i>".format(
        esc(t._("Page {page} / {pages}").format(page=page, pages=len(pages)))
    )
    nav = []
    if page > 1:
        nav.append(button("‹", "page", campaign.slug, page - 1))
    if page < len(pages):
        nav.append(button("›", "page", campaign.slug, page + 1))
    actions = [button("⬅️ " + t._("Back"), "card", campaign.slug)]
    if campaign.is_open:
        actions.append(button("✍️ " + t._("Sign"), "sign", campaign.slug))
    return View(header + esc(pages[page - 1]) + footer, keyboard(nav, actions))


def addressees_page(t: Translator, campaign: Campaign, page: int) -> View:
    names = campaign.addressees_for(t.language)
    pages = paginate_items(names, budget=3000, max_items=15)
    page = min(max(page, 1), len(pages))
    offset = sum(len(p) for p in pages[: page - 1])
    lines = "\n".join(f"{offset + i}. {esc(n)}" for i, n in enumerate(pages[page - 1], 1))
    text, _ = campaign.text_for(t.language)
    title = t.ngettext(
        "This campaign is addressed to {count} decision maker:",
        "This campaign is addressed to {count} decision makers:",
        len(names),
    ).format(count=t.number(len(names)))
    body = f"<b>{esc(text.title)}</b>\n\n{esc(title)}\n\n{lines}"
    if len(pages) > 1:
        body += "\n\n<i>{}</i>".format(
            esc(t._("Page {page} / {pages}").format(page=page, pages=len(pages)))
        )
    if not names:
        body = f"<b>{esc(text.title)}</b>\n\n" + esc(t._("No decision makers are listed."))
    nav = []
    if page > 1:
        nav.append(button("‹", "addr", campaign.slug, page - 1))
    if page < len(pages):
        nav.append(button("›", "addr", campaign.slug, page + 1))
    return View(body, keyboard(nav, [button("⬅️ " + t._("Back"), "card", campaign.slug)]))


def campaign_line(t: Translator, campaign: Campaign, count: int) -> str:
    """ "• Title — 1,234 signatures": one campaign in a list, in a private chat or a group."""
    text, _ = campaign.text_for(t.language)
    signed = t.ngettext("{count} signature", "{count} signatures", count)
    return f"• <b>{esc(text.title)}</b> — {esc(signed.format(count=t.number(count)))}"


class Opens(Enum):
    """What a campaign picked from the list opens: the callback action and the arguments
    after the slug (the command that showed the list is what the person asked for)."""

    CARD = ("card",)
    ADDRESSEES = ("addr", 1)
    SIGNATORIES = ("who", 0)
    SHARE = ("shl",)  # the share message, in place of the list


def campaign_list(
    t: Translator,
    campaigns: list[Campaign],
    counts: dict[str, int],
    heading: str | None = None,
    opens: Opens = Opens.CARD,
) -> View:
    lines = [esc(heading or t._("Choose a campaign:")), ""]
    rows = []
    action, *after = opens.value
    for campaign in campaigns:
        text, _ = campaign.text_for(t.language)
        lines.append(campaign_line(t, campaign, counts[campaign.slug]))
        rows.append([button(shorten(text.title, 60), str(action), campaign.slug, *after)])
    return View("\n".join(lines), keyboard(*rows), harmless=True)


def progress_view(t: Translator, campaign: Campaign, progress: Progress, signed: bool) -> View:
    text, _ = campaign.text_for(t.language)
    body = f"<b>{esc(text.title)}</b>\n\n{progress_lines(t, progress, campaign.is_open)}"
    rows = [button("📣 " + t._("Share"), "share", campaign.slug)]
    if campaign.is_open and not signed:
        rows.insert(0, button("✍️ " + t._("Sign"), "sign", campaign.slug))
    return View(body, keyboard(rows))
