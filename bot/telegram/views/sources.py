"""/source: named links and where signers came from, for organisers."""

from __future__ import annotations

from bot.core.sources import Listing, Source
from bot.domain.aggregates import Shown
from bot.domain.paging import utf16_len
from bot.i18n import N_, Translator
from bot.telegram.views.common import View, bold, esc, figure, plural_of, shorten, user_text

KINDS = {
    "group": N_("group"),
    "named": N_("named link"),
    "inline": N_("cards posted inline"),
}
_BUDGET = 3800  # of Telegram's 4096 characters


def usage(t: Translator) -> str:
    return t._("Usage: /source new [campaign] <name> makes a named link; /source lists them.")


def _counts(t: Translator, visits: Shown, signed: Shown) -> str:
    opened = t.ngettext("{count} visit", "{count} visits", plural_of(visits))
    brought = t.ngettext("{count} signature", "{count} signatures", plural_of(signed))
    return esc(
        f"{opened.format(count=figure(t, visits))} · {brought.format(count=figure(t, signed))}"
    )


def _name(t: Translator, source: Source) -> str:
    kind_name = t._(KINDS[source.kind]) if source.kind in KINDS else source.kind
    return f"{user_text(shorten(source.label, 60))} ({esc(kind_name)}, <code>{esc(source.code)}</code>)"


def source_list(t: Translator, listing: Listing) -> View:
    """Sources counted on their own, then "other": the sum of every source under the
    threshold and of visitors without a link, and the sources it holds, without numbers."""
    if not listing.rows and not listing.others:
        return View(esc(t._("No sources yet. Create one with /source new <name>.")))
    lines = [bold(t._("Sources"))]
    lines += [f"{_name(t, s)}: {_counts(t, visits, signed)}" for s, visits, signed in listing.rows]
    head = t._("Other (sources under {count} and visitors without a link)").format(
        count=t.number(listing.other_threshold)
    )
    lines.append(f"{esc(head)}: {_counts(t, *listing.other)}")
    lines += [f"· {_name(t, s)}" for s in listing.others]
    used = 0
    for index, line in enumerate(lines):
        used += utf16_len(line) + 1
        if used > _BUDGET:
            rest = len(lines) - index
            more = t.ngettext("… and {count} more", "… and {count} more", rest)
            return View("\n".join([*lines[:index], esc(more.format(count=t.number(rest)))]))
    return View("\n".join(lines))
