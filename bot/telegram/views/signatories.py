"""The public signatory list as a letter prints it: name, role, organisation, in signing order."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.campaigns import Campaign
from bot.domain.paging import utf16_len
from bot.domain.signatories import Entry, Page
from bot.i18n import Translator
from bot.telegram.views.common import (
    View,
    bold,
    button,
    esc,
    keyboard,
    shorten,
    url_button,
    user_text,
)

ENTRY_BUDGET = 3300  # UTF-16 units of names on one page; the rest of 4096 is for the frame
FETCH = 40  # entries read for one page; the budget usually stops earlier


def entry_line(entry: Entry, label: str) -> str:
    """`label` (a position or a #number) outside the isolates: right-to-left names cannot move
    it to the other side, and every part is escaped and isolated on its own."""
    extra = ", ".join(user_text(p) for p in (entry.role, entry.organisation) if p)
    return f"{label} {user_text(entry.name)}" + (f" — {extra}" if extra else "")


def fitting(entries: Sequence[Entry], budget: int = ENTRY_BUDGET) -> int:
    """How many of `entries` fit on one page (at least one)."""
    used = 0
    for index, entry in enumerate(entries):
        size = sum(utf16_len(p or "") for p in (entry.name, entry.role, entry.organisation)) + 24
        if index and used + size > budget:
            return index
        used += size
    return len(entries)


def list_page(t: Translator, campaign: Campaign, page: Page) -> View:
    text, _ = campaign.text_for(t.language)
    slug = campaign.slug
    lines = [bold(text.title), esc(t._("Public signatories, in signing order:")), ""]
    if page.entries:
        lines += [entry_line(e, f"{e.position}.") for e in page.entries]
        lines += [
            "",
            f"<i>{esc(_range(t, page.entries[0].position, page.entries[-1].position, page.listed))}</i>",
        ]
    elif page.waiting:  # public names exist, none checked yet
        lines.append(esc(t._("No public name is listed yet.")))
    else:
        lines.append(esc(t._("No one has signed with a public name yet.")))
    if page.waiting:
        lines.append(
            esc(
                t.ngettext(
                    "{count} more public name waits for an organiser's check",
                    "{count} more public names wait for an organiser's check",
                    page.waiting,
                )
            ).format(count=t.number(page.waiting))
        )
    if page.others:
        lines.append(
            esc(
                t.ngettext(
                    "and {count} more who signed without a public name",
                    "and {count} more who signed without a public name",
                    page.others,
                )
            ).format(count=t.number(page.others))
        )
    if page.entries:
        mine = t._("Your name is here and you did not sign? Send /notme {slug} and its number.")
        lines += ["", esc(mine).format(slug=slug)]
    nav = []
    if page.has_before:
        nav.append(button("‹", "whob", slug, page.entries[0].position))
    if page.has_after:
        nav.append(button("›", "who", slug, page.entries[-1].position))
    return View("\n".join(lines), keyboard(nav, [button("⬅️ " + t._("Back"), "card", slug)]))


def list_off(t: Translator, campaign: Campaign) -> View:
    text, _ = campaign.text_for(t.language)
    line = t._(
        "The organisers of this campaign do not publish a list of signatories in the bot. "
        "Public names appear only in the documents handed to the addressees."
    )
    return View(f"{bold(text.title)}\n\n{esc(line)}")


def open_privately(t: Translator, campaign: Campaign, link: str) -> View:
    """In a group: nothing but a button to the list in a private chat."""
    text, _ = campaign.text_for(t.language)
    line = t._("The list of signatories opens in a private chat with me.")
    return View(
        f"{bold(text.title)}\n{esc(line)}",
        keyboard([url_button("👥 " + t._("Who signed"), link)]),
    )


def open_privately_list(t: Translator, links: list[tuple[Campaign, str]]) -> View:
    """In a group with several campaigns: a button per list, each opening the private chat."""
    line = t._("The lists of signatories open in a private chat with me:")
    rows = [
        [url_button("👥 " + shorten(c.text_for(t.language)[0].title, 50), link)]
        for c, link in links
    ]
    return View(esc(line), keyboard(*rows))


def _range(t: Translator, first: int, last: int, listed: int) -> str:
    """Which names this page shows: all of them, one, or a range of the list."""
    if first == 1 and last == listed:
        return t.ngettext("{count} name", "{count} names", listed).format(count=t.number(listed))
    if first == last:
        return t._("Name {number} of {count}").format(
            number=t.number(first), count=t.number(listed)
        )
    return t._("Names {first}–{last} of {count}").format(
        first=t.number(first), last=t.number(last), count=t.number(listed)
    )
