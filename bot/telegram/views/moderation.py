"""Texts of moderation: the confirmation before /remove or /block, and the hourly budgets (the
refusal an organiser reads, the announcement every admin gets)."""

from __future__ import annotations

from bot.core.budgets import OverBudget
from bot.domain.budgets import Kind
from bot.domain.campaigns import Campaign
from bot.domain.organisers import Level
from bot.domain.signatories import Review
from bot.domain.signatures import Preview
from bot.i18n import Translator
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, button, esc, keyboard, user_text


def _name(t: Translator, preview: Preview) -> str:
    """The name line: the name (role, organisation) only where `Preview.of` kept it."""
    if preview.name:
        extras = ", ".join(user_text(p) for p in (preview.role, preview.organisation) if p)
        shown = user_text(preview.name) + (f" — {extras}" if extras else "")
        return esc(t._("Name: {name}")).format(name=shown)
    if not preview.public:
        return esc(t._("Name: not shown (its signer did not make it public)"))
    return esc(t._("Name: not shown (the organisers hid it)"))


def _review(t: Translator, campaign: Campaign | None, preview: Preview) -> str:
    if not preview.public:
        return t._("Review: not needed (the name is not public)")
    if preview.review is Review.HIDDEN:
        return t._("Review: hidden by the organisers")
    if preview.review is Review.APPROVED:
        return t._("Review: approved")
    if campaign is not None and not campaign.review_public_names:
        return t._("Review: none (this campaign lists public names without review)")
    return t._("Review: waiting")


def preview(t: Translator, campaign: Campaign | None, shown: Preview, block: bool) -> View:
    """The confirmation of /remove (or /block): number, date, public or not, review state,
    and the name only when `Preview.of` allows it."""
    title = title_of(campaign, t) if campaign else shown.campaign
    letter = campaign is not None and campaign.kind == "letter"
    if block:
        question = (
            t._(
                "Remove signature #{number} from the open letter “{title}” and block this "
                "person from signing again?"
            )
            if letter
            else t._(
                "Remove signature #{number} from the petition “{title}” and block this person "
                "from signing again?"
            )
        )
    else:
        question = (
            t._("Remove signature #{number} from the open letter “{title}”?")
            if letter
            else t._("Remove signature #{number} from the petition “{title}”?")
        )
    lines = [
        esc(question).format(number=shown.number, title=user_text(title)),
        "",
        esc(t._("Signed: {date}")).format(date=esc(t.datetime(shown.signed_at))),
        esc(t._("Public name: yes") if shown.public else t._("Public name: no")),
        esc(_review(t, campaign, shown)),
        _name(t, shown),
        "",
        esc(t._("It is erased for good and the count goes down.")),
    ]
    label = "⛔ " + t._("Remove and block") if block else "🗑 " + t._("Remove")
    action = "blk" if block else "rm"
    markup = keyboard(
        [button(label, action, shown.number, shown.signed_at)], [button(t._("Cancel"), "no")]
    )
    return View("\n".join(lines), markup)


def _kind(t: Translator, kind: Kind) -> str:
    if kind is Kind.PREVIEW:
        return t._("previews of signatures")
    return t._("removals, blocks and hides")


def over_budget(t: Translator, refusal: OverBudget) -> str:
    """To the organiser who ran out: nothing was done, the admins know, when to go on."""
    head = t._(
        "⛔ You have reached the hourly limit for {kind} ({limit} an hour), so nothing was "
        "done. Every admin has been told."
    )
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = t.ngettext(
        "You can go on in {count} minute.", "You can go on in {count} minutes.", minutes
    )
    first = esc(head).format(kind=esc(_kind(t, refusal.kind)), limit=t.number(refusal.limit))
    return first + "\n" + esc(wait).format(count=t.number(minutes))


def budget_alert(t: Translator, refusal: OverBudget) -> str:
    """To every admin: which level ran out of which budget; never who, never a signer."""
    head = t._(
        "⚠️ An organiser has reached the hourly limit for {kind} ({limit} an hour); further "
        "tries are refused until the hour frees up."
    )
    level = t._("admin") if refusal.level is Level.ADMIN else t._("moderator")
    advice = t._(
        "If nobody on your team is working through that many signatures, this organiser's "
        "account may be in someone else's hands: check the audit log and, if in doubt, take "
        "the id out of ADMIN_IDS or MODERATOR_IDS."
    )
    return "{}\n{}\n\n{}".format(
        esc(head).format(kind=esc(_kind(t, refusal.kind)), limit=t.number(refusal.limit)),
        esc(t._("Level: {level}")).format(level=esc(level)),
        esc(advice),
    )
