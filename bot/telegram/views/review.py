"""The organisers' review of public names: a batch to approve, each name one tap from hidden."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.domain.campaigns import Campaign
from bot.domain.signatories import Entry
from bot.i18n import Translator
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, bold, button, esc, keyboard, user_text
from bot.telegram.views.signatories import entry_line, fitting

BATCH = 10  # names per screen at most: few enough to read each one before approving
QUEUE_BUDGET = 2800  # UTF-16 units of names: the frame and a notice take the rest of 4096


def batch(entries: list[Entry]) -> list[Entry]:
    """The names one screen shows: up to BATCH, fewer when long names would not fit."""
    return entries[: fitting(entries, QUEUE_BUDGET)]


def queue(
    t: Translator,
    campaign: Campaign,
    entries: list[Entry],
    waiting: int,
    digest: str,
    notice: str = "",
    reported: list[tuple[Entry, int]] | None = None,
) -> View:
    """The oldest waiting names with their signature numbers (as /remove and /hide take them),
    after the names readers reported as theirs, signed without them."""
    title = user_text(title_of(campaign, t))
    heading = t._("Public names waiting for review")
    head = f"{notice}{_reported(t, reported or [])}{bold(heading)}\n{title}\n"
    report_rows = _hide_rows([e for e, _ in reported or []])
    if not entries:
        line = esc(t._("No names are waiting for review."))
        if not campaign.review_public_names:
            line += "\n" + esc(
                t._(
                    "This campaign lists public names without review "
                    "(review_public_names is off); you can still hide a name with /hide."
                )
            )
        return View(f"{head}\n{line}", keyboard(*report_rows) if report_rows else None)
    lines = [entry_line(e, f"#{e.number}") for e in entries]
    more = waiting - len(entries)
    tail = esc(
        t.ngettext(
            "{count} more name waits after these.", "{count} more names wait after these.", more
        )
    ).format(count=t.number(more))
    how = esc(
        t._(
            "Hide any name that must not appear; then approve the rest. Hidden names stay "
            "counted and out of the list and the documents."
        )
    )
    body = f"{head}\n" + "\n".join(lines) + (f"\n\n{tail}" if more > 0 else "") + f"\n\n{how}"
    approve = t.ngettext("Approve {count} name", "Approve these {count} names", len(entries))
    first, last = entries[0].number, entries[-1].number
    markup = keyboard(
        *report_rows,
        [button("✅ " + approve.format(count=t.number(len(entries))), "rva", first, last, digest)],
        *_hide_rows(entries),
    )
    return View(body, markup)


def _hide_rows(entries: list[Entry]) -> list[list[InlineKeyboardButton]]:
    """One "hide" button per name, five to a row."""
    hide_buttons = [button(f"🙈 #{e.number}", "rvh", e.number) for e in entries]
    return [hide_buttons[i : i + 5] for i in range(0, len(hide_buttons), 5)]


def _reported(t: Translator, reported: list[tuple[Entry, int]]) -> str:
    """Names readers reported as theirs, signed without them: first, with how many readers."""
    if not reported:
        return ""
    heading = t._("Reported by readers as their name, signed without them")
    lines = [
        entry_line(entry, f"#{entry.number}")
        + " — "
        + esc(t.ngettext("{count} report", "{count} reports", count)).format(count=t.number(count))
        for entry, count in reported
    ]
    how = t._("Hide a name you cannot vouch for; reports are forgotten after a week.")
    return "🚩 {}\n{}\n{}\n\n".format(bold(heading), "\n".join(lines), esc(how))


def changed(t: Translator) -> str:
    """A notice above a fresh queue: the batch shown before was no longer what it was."""
    line = t._("The names changed while you were looking; nothing was approved. Check them again:")
    return f"⚠️ {esc(line)}\n\n"


def approved(t: Translator, count: int) -> str:
    line = t.ngettext("{count} name approved.", "{count} names approved.", count)
    return f"✅ {esc(line).format(count=t.number(count))}\n\n"


def hidden(t: Translator, number: int) -> str:
    line = t._("Name #{number} is hidden; the signature still counts.")
    return f"🙈 {esc(line).format(number=number)}\n\n"
