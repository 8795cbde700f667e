"""/source: named links and where signers came from, for organisers."""

from __future__ import annotations

from bot.domain.paging import utf16_len
from bot.i18n import N_, Translator
from bot.telegram.views.common import View, bold, esc, shorten, user_text

KINDS = {
    "group": N_("group"),
    "named": N_("named link"),
    "inline": N_("cards posted inline"),
}
_BUDGET = 3800  # of Telegram's 4096 characters


def usage(t: Translator) -> str:
    return t._("Usage: /source new [campaign] <name> makes a named link; /source lists them.")


def source_list(t: Translator, rows: list[tuple[str, str, str, int, int]]) -> View:
    if not rows:
        return View(esc(t._("No sources yet. Create one with /source new <name>.")))
    lines = [bold(t._("Sources"))]
    used = 0
    for index, (code, kind, label, visits, signed) in enumerate(rows):
        opened = t.ngettext("{count} visit", "{count} visits", visits).format(
            count=t.number(visits)
        )
        brought = t.ngettext("{count} signature", "{count} signatures", signed).format(
            count=t.number(signed)
        )
        kind_name = t._(KINDS[kind]) if kind in KINDS else kind
        line = "{} ({}, <code>{}</code>): {}".format(
            user_text(shorten(label, 60)),
            esc(kind_name),
            esc(code),
            esc(f"{opened} · {brought}"),
        )
        used += utf16_len(line) + 1
        if used > _BUDGET:
            more = t.ngettext("… and {count} more", "… and {count} more", len(rows) - index)
            lines.append(esc(more.format(count=t.number(len(rows) - index))))
            break
        lines.append(line)
    return View("\n".join(lines))
