"""Texts of the admin commands (HTML), kept apart from the handlers' plumbing."""

from __future__ import annotations

import itertools
import re
from html import unescape

from bot.domain.campaigns import Campaign
from bot.i18n import NATIVE_NAMES, Translator
from bot.storage.admin import Stats
from bot.views.campaign import Progress
from bot.views.common import bold, esc, shorten, user_text

CAPTION_LIMIT = 1024


def visible_length(html: str) -> int:
    """Length as Telegram counts it (UTF-16 code units of the text after parsing)."""
    return len(unescape(re.sub(r"<[^>]+>", "", html)).encode("utf-16-le")) // 2


def title_of(campaign: Campaign, t: Translator) -> str:
    text, _ = campaign.text_for(t.language)
    return text.title


def stats_caption(t: Translator, campaign: Campaign, stats: Stats, labels: dict[str, str]) -> str:
    """Totals, per language and per source; cut to fit a photo caption."""
    n = t.number
    lines = [
        f"<b>{user_text(shorten(title_of(campaign, t), 80))}</b>",
        esc(t._("Signatures: {count}")).format(count=n(stats.total)),
        esc(t._("Today: {today} · last 7 days: {week}")).format(
            today=n(stats.today), week=n(stats.week)
        ),
        esc(t._("Withdrawals: {count}")).format(count=n(stats.withdrawals)),
    ]
    if stats.by_language:
        langs = ", ".join(
            f"{esc(NATIVE_NAMES.get(code, code))} {n(count)}" for code, count in stats.by_language
        )
        lines += ["", bold(t._("By language")), langs]
    if stats.by_source:
        lines += ["", bold(t._("By source (signatures / visits)"))]
    more = esc(t._("… and more"))
    for index, (code, signed, visits) in enumerate(stats.by_source):
        label = user_text(shorten(labels.get(code, code), 40)) if code else esc(t._("direct"))
        line = f"{label}: {n(signed)} / {n(visits)}"
        rest = len(stats.by_source) - index - 1
        budget = CAPTION_LIMIT - visible_length(more) - 2 if rest else CAPTION_LIMIT
        if visible_length("\n".join([*lines, line])) > budget:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def ladder_text(ladder: tuple[int, ...], t: Translator) -> str:
    return " · ".join(t.number(step) for step in ladder)


def goal_view(
    t: Translator,
    campaign: Campaign,
    progress: Progress,
    override: int | None,
    ladder: tuple[int, ...] | None,
) -> str:
    n = t.number
    steps = ladder or campaign.ladder
    origin = t._("set by an admin") if ladder else t._("from the campaign file")
    lines = [
        f"<b>{user_text(shorten(title_of(campaign, t), 80))}</b>",
        esc(t._("Signatures: {count}")).format(count=n(progress.count)),
        esc(t._("Next goal: {goal}")).format(goal=n(progress.goal)),
        esc(t._("Goal ladder ({origin}): {ladder}")).format(
            origin=esc(origin), ladder=ladder_text(steps, t)
        ),
    ]
    if override:
        lines.append(esc(t._("Next goal set by an admin: {goal}")).format(goal=n(override)))
    lines += ["", esc(goal_usage(t))]
    return "\n".join(lines)


def goal_usage(t: Translator) -> str:
    return t._(
        "/goal [campaign] next <number> sets the next goal (next off clears it); "
        "/goal [campaign] ladder 100,500,1000 sets the ladder (ladder default restores it)."
    )


def parse_ladder(text: str) -> tuple[int, ...] | None:
    """Strictly increasing positive whole numbers, at most 50 steps; None if malformed."""
    parts = [p.strip().replace("_", "") for p in text.split(",")]
    if not parts or len(parts) > 50 or not all(p.isdigit() for p in parts):
        return None
    steps = tuple(int(p) for p in parts)
    if steps[0] <= 0 or steps[-1] > 1_000_000_000:
        return None
    if any(b <= a for a, b in itertools.pairwise(steps)):
        return None
    return steps
