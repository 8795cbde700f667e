"""A reader's report of a public name: the confirmation, what the press did, and the notice
the organisers get (which names the signature's number, never the reader)."""

from __future__ import annotations

from bot.domain.campaigns import Campaign
from bot.domain.reports import REPORTS_PER_DAY, Reported, entry_digest
from bot.domain.signatories import Entry
from bot.i18n import Translator
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, button, esc, keyboard, user_text
from bot.telegram.views.signatories import entry_line


def usage(t: Translator, slug: str) -> View:
    line = t._(
        "Send /notme, the campaign and the number of your name on its list of signatories, "
        "for example /notme {slug} 3."
    ).format(slug=slug)
    return View(esc(line))


def no_entry(t: Translator, campaign: Campaign, position: int) -> View:
    line = t._("There is no name {position} on the list of “{title}”.")
    return View(esc(line).format(position=position, title=user_text(title_of(campaign, t))))


def confirm(t: Translator, campaign: Campaign, entry: Entry) -> View:
    """The name as the reader sees it, and what reporting does and does not do."""
    question = t._("Is this your name, and you did not sign “{title}”?")
    what = t._(
        "The moderators will be told that a reader says so; they are never told who. "
        "They check the name and can take it off the list. It stays listed until they do."
    )
    body = "<b>{}</b>\n\n{}\n\n{}".format(
        esc(question).format(title=user_text(title_of(campaign, t))),
        entry_line(entry, f"{entry.position}."),
        esc(what),
    )
    digest = entry_digest(campaign.slug, entry)
    report = button("🚩 " + t._("Yes, report it"), "nme", campaign.slug, entry.position, digest)
    back = button("⬅️ " + t._("Back"), "who", campaign.slug, 0)
    return View(body, keyboard([report], [back]))


def outcome(t: Translator, reported: Reported) -> View:
    lines = {
        Reported.REPORTED: "✅ "
        + t._("Reported. The moderators will check the name; they are not told who reported it."),
        Reported.ALREADY: "✅ "
        + t._("You have reported this name already; the moderators have it."),
        Reported.CHANGED: "⚠️ "
        + t._("The list changed since you opened it; nothing was reported. Open it again."),
        Reported.TOO_MANY: "⚠️ "
        + t.ngettext(
            "You can report {count} name a day; nothing more was reported. "
            "If more names are yours, write to the organisers.",
            "You can report {count} names a day; nothing more was reported. "
            "If more names are yours, write to the organisers.",
            REPORTS_PER_DAY,
        ).format(count=t.number(REPORTS_PER_DAY)),
    }
    return View(esc(lines[reported]))


def organisers_notice(t: Translator, campaign: Campaign, number: int) -> str:
    """To every organiser's private chat, at the first report of a name."""
    line = t._(
        "🚩 A reader says the public name #{number} in “{title}” is theirs and that they did "
        "not sign. Who reported it is not known to you. Look at it with /review {slug}; "
        "/hide {number} takes it off the list."
    )
    return esc(line).format(
        number=number, title=user_text(title_of(campaign, t)), slug=campaign.slug
    )
