"""What other sites show: count.json (schema below), the badge (SVG, no script) and the small
page made for an iframe. README, "Public page", documents all three for whoever embeds them."""

from __future__ import annotations

import json

from bot.domain import goals
from bot.i18n import Translator
from bot.site.facts import CampaignFacts, SiteFacts
from bot.site.html import attr, page, text

# count.json's schema, versioned: a reader checks `version` and ignores fields it does not
# know; a field is never renamed or given another meaning within a version.
COUNT_VERSION = 1


def count_json(facts: CampaignFacts, site: SiteFacts) -> str:
    """{"version": 1, "campaign", "open", "count", "goal", "last_24_hours", "published_at"}:
    goal is null for a closed campaign; published_at is UTC, ISO 8601 with a Z."""
    progress, campaign = facts.progress, facts.campaign
    data = {
        "version": COUNT_VERSION,
        "campaign": campaign.slug,
        "open": campaign.is_open,
        "count": progress.count,
        "goal": progress.goal if campaign.is_open else None,
        "last_24_hours": progress.recent,
        "published_at": site.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(data, indent=1) + "\n"


def signed_words(t: Translator, count: int) -> str:
    return t.ngettext("{count} signature", "{count} signatures", count).format(
        count=t.number(count)
    )


def kind_word(t: Translator, facts: CampaignFacts) -> str:
    return t._("Petition") if facts.campaign.kind == "petition" else t._("Open letter")


def badge_svg(t: Translator, facts: CampaignFacts) -> str:
    """A flat badge: the kind on the left, the count on the right; text fitted by
    `textLength`, so no font needs to be measured or fetched."""
    left, right = kind_word(t, facts), signed_words(t, facts.progress.count)
    lw, rw = 12 + 6 * len(left), 12 + 7 * len(right)
    width = lw + rw
    label = f"{left}: {right}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="22" '
        f'viewBox="0 0 {width} 22" role="img" aria-label={attr(label)}>'
        f"<title>{text(label)}</title>"
        f'<rect width="{lw}" height="22" rx="3" fill="#444"/>'
        f'<rect x="{lw}" width="{rw}" height="22" rx="3" fill="#0b5394"/>'
        f'<rect x="{lw}" width="4" height="22" fill="#0b5394"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,Arial,sans-serif" font-size="12">'
        f'<text x="6" y="15" textLength="{lw - 12}" lengthAdjust="spacingAndGlyphs">'
        f"{text(left)}</text>"
        f'<text x="{lw + 6}" y="15" textLength="{rw - 12}" lengthAdjust="spacingAndGlyphs" '
        f'font-weight="bold">{text(right)}</text></g></svg>\n'
    )


def bar(count: int, goal: int) -> str:
    """The progress bar, for screen readers too."""
    share = 100 if goal <= 0 else min(100, count * 100 // goal)
    if count and not share:
        share = 1
    return (
        f'<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="{goal}" '
        f'aria-valuenow="{min(count, goal)}"><span style="width:{share}%"></span></div>'
    )


def progress_html(t: Translator, facts: CampaignFacts) -> str:
    """The count, the next goal and its bar and sentence, the last 24 hours; or, once
    signing closed, the final count."""
    progress = facts.progress
    signed = signed_words(t, progress.count)
    if not facts.campaign.is_open:
        closed = t._("Signing is closed. Final count: {signed}.")
        return f'<p class="count">{text(closed.format(signed=signed))}</p>'
    goal = t._("next goal {goal}").format(goal=t.number(progress.goal))
    pct = goals.percent(progress.count, progress.goal)
    parts = [
        f'<p class="count">{text(signed)}</p>',
        f"<p>{text(goal)} · {text(pct)}%</p>",
        bar(progress.count, progress.goal),
    ]
    recent = t.ngettext(
        "+{count} in the last 24 hours", "+{count} in the last 24 hours", progress.recent
    ).format(count=t.number(progress.recent))
    parts.append(f"<p>{text(recent)}</p>")
    meaning = progress.meaning.in_language(t.language)
    if meaning:
        parts.append(f'<p dir="auto"><strong>{text(meaning)}</strong></p>')
    return "\n".join(parts)


def embed_page(t: Translator, facts: CampaignFacts, site: SiteFacts, page_href: str) -> str:
    """The counter for an iframe: title, count and bar, and links that open in a new tab."""
    campaign = facts.campaign
    own, _ = campaign.text_for(t.language)
    links = [f'<a href={attr(page_href)} target="_blank" rel="noopener">{text(own.title)}</a>']
    if campaign.is_open:
        sign = t._("Sign in Telegram")
        links.append(
            f'<a class="sign" href={attr(site.sign_link(campaign.slug))} target="_blank" '
            f'rel="noopener noreferrer">{text(sign)}</a>'
        )
    body = f'<p dir="auto"><strong>{links[0]}</strong></p>\n{progress_html(t, facts)}\n' + "".join(
        links[1:]
    )
    return page(t, own.title, body, compact=True)
