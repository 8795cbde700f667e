"""Texts of four eyes (bot.domain.approvals): the request every admin sees, the decisions, the
bulk removal. An approver sees what kind of action, which campaign and how many rows, never a
name; a broadcast's text and links, because those are what the approver must judge."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup

from bot.domain.approvals import Kind, Request
from bot.domain.bots import Role
from bot.domain.campaigns import Campaign
from bot.i18n import Translator
from bot.telegram.views.bots import role_name
from bot.telegram.views.common import bold, button, esc, keyboard, plain_text, shorten, user_text

SHOWN_TEXT = 1500  # characters of a broadcast's text in the request (a message holds 4,096)


def when(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def kind_name(t: Translator, request: Request) -> str:
    if request.kind is Kind.EXPORT:
        fmt = request.params.get("format", "")
        return t._("an export with names ({format})").format(format=fmt)
    names = {
        Kind.BACKUP: t._("a backup of the whole database"),
        Kind.BROADCAST: t._("a broadcast to the campaign's subscribers"),
        Kind.PURGE: t._("a bulk removal of signatures"),
        Kind.UNHIDE: t._("showing a name again that an admin hid"),
        Kind.BOT_ROLE: t._("a change of an official bot's role"),
    }
    return names[request.kind]


def _summary(t: Translator, request: Request, title: str | None) -> list[str]:
    lines = [esc(t._("What: {kind}")).format(kind=esc(kind_name(t, request)))]
    if request.campaign:
        name = user_text(title) if title else f"<code>{esc(request.campaign)}</code>"
        lines.append(esc(t._("Campaign: {campaign}")).format(campaign=name))
    if request.kind is Kind.BOT_ROLE:
        role = role_name(t, Role(request.params["role"]))
        lines.append(
            esc(t._("Bot: @{bot}, to become {role}")).format(
                bot=esc(request.params["username"]), role=esc(role)
            )
        )
        return lines
    if request.kind is Kind.BROADCAST:
        rows = t.ngettext("{count} subscriber", "{count} subscribers", request.rows)
    else:
        rows = t.ngettext("{count} signature", "{count} signatures", request.rows)
    lines.append(
        esc(t._("Concerns: {rows}")).format(rows=esc(rows.format(count=t.number(request.rows))))
    )
    if request.kind is Kind.PURGE:
        window = t._("Signed between {start} and {end}").format(
            start=when(int(request.params["from"])), end=when(int(request.params["to"]))
        )
        lines.append(esc(window))
    if request.kind is Kind.UNHIDE:
        lines.append(esc(t._("Signature #{number}")).format(number=request.params["number"]))
    return lines


def request_text(
    t: Translator,
    request: Request,
    title: str | None,
    texts: dict[str, str] | None = None,
    links: tuple[str, ...] = (),
) -> str:
    """The request as every admin gets it, with Approve and Refuse under it."""
    head = bold(t._("Request #{id} needs a second admin").format(id=request.id))
    who = t._("Asked by: an admin") if request.level == "admin" else t._("Asked by: a moderator")
    lines = [f"🔐 {head}", *_summary(t, request, title), esc(who)]
    if texts:
        for language, html in sorted(texts.items()):
            shown = shorten(plain_text(html), SHOWN_TEXT)
            lines.append(f"\n<b>{esc(language)}</b>: <i>{esc(shown)}</i>")
    if links:
        lines.append("\n⚠️ " + bold(t._("Links in it:")) + " " + esc(", ".join(links)))
    lines.append(
        "\n"
        + esc(
            t._(
                "Another admin may approve it until {time}; nobody approves their own request. "
                "Anything it makes goes only to the private chat of whoever asked."
            )
        ).format(time=when(request.expires_at))
    )
    return "\n".join(lines)


def request_buttons(t: Translator, request: Request) -> InlineKeyboardMarkup:
    return keyboard(
        [button(t._("✅ Approve"), "apy", request.id), button(t._("✖ Refuse"), "apn", request.id)]
    )


def waiting(t: Translator, request: Request, new: bool, unreached: tuple[int, ...]) -> str:
    """What the requester is told instead of the action."""
    if not new:
        return esc(
            t._("Request #{id} is already waiting for a second admin (until {time}).")
        ).format(id=request.id, time=when(request.expires_at))
    lines = [
        esc(
            t._(
                "Nothing was done yet: with more than one admin this needs a second admin's "
                "approval. Request #{id} was sent to every admin; it expires at {time}."
            )
        ).format(id=request.id, time=when(request.expires_at))
    ]
    if unreached:
        ids = ", ".join(f"<code>{admin}</code>" for admin in unreached)
        lines.append(
            esc(
                t.ngettext(
                    "This admin could not be told (they never opened the bot, or blocked it): "
                    "{ids}. Ask them to open the bot.",
                    "These admins could not be told (they never opened the bot, or blocked it): "
                    "{ids}. Ask them to open the bot.",
                    len(unreached),
                )
            ).format(ids=ids)
        )
    return "\n".join(lines)


def decided(t: Translator, request: Request, title: str | None, outcome: str) -> str:
    """Every admin is told what became of a request: `outcome` is a DECISIONS key."""
    texts = {
        "approved": t._("✅ Request #{id} was approved by a second admin."),
        "refused": t._("✖ Request #{id} was refused by a second admin. Nothing was done."),
        "withdrawn": t._("Request #{id} was withdrawn by whoever asked. Nothing was done."),
        "expired": t._("⌛ Request #{id} expired: no second admin approved it. Nothing was done."),
    }
    head = esc(texts[outcome]).format(id=request.id)
    return "\n".join([head, *_summary(t, request, title)])


def own_request(t: Translator) -> str:
    return t._("Nobody can approve their own request: another admin must.")


def gone(t: Translator) -> str:
    return t._("This request was already decided or has expired. Nothing was changed.")


def not_carried_out(t: Translator, request: Request, why: str) -> str:
    reasons = {
        "requester": t._(
            "Request #{id} was approved, but whoever asked is no longer an organiser: "
            "nothing was done."
        ),
        "changed": t._(
            "Request #{id} was approved, but the broadcast changed or was cancelled since it "
            "was asked for: nothing was sent. Confirm it again to ask anew."
        ),
        "hidden": t._("Request #{id} was approved, but the name is no longer hidden."),
        "campaign": t._(
            "Request #{id} was approved, but its campaign is no longer loaded: nothing was done."
        ),
    }
    return esc(reasons[why]).format(id=request.id)


def links_refused(t: Translator, links: tuple[str, ...]) -> str:
    head = t._(
        "The broadcast was not sent: it holds links, and a link needs a second admin's "
        "approval. With one admin, links are refused unless the operator sets "
        "BROADCAST_LINKS=allow. Remove the links, or add a second admin."
    )
    return esc(head) + "\n" + bold(t._("Links in it:")) + " " + esc(", ".join(links))


# -- /purge ---------------------------------------------------------------------------------


def purge_usage(t: Translator) -> str:
    return t._(
        "Usage: /purge [campaign] <from> <to>, times in UTC as 2026-12-04T10:00 (or a day, "
        "2026-12-04): removes every signature made from the first time up to the second."
    )


def purge_window_error(t: Translator) -> str:
    return t._("The window must start before it ends, and end no later than now.")


def purge_preview(
    t: Translator, campaign: Campaign, title: str, count: int, start: int, end: int
) -> str:
    text = t.ngettext(
        "{count} signature of {title} was made between {start} and {end}.",
        "{count} signatures of {title} were made between {start} and {end}.",
        count,
    )
    return esc(text).format(
        count=t.number(count), title=user_text(title), start=when(start), end=when(end)
    )


def purge_buttons(
    t: Translator, campaign: Campaign, count: int, start: int, end: int
) -> InlineKeyboardMarkup:
    label = t.ngettext("Remove {count} signature", "Remove {count} signatures", count)
    return keyboard(
        [button(label.format(count=t.number(count)), "pg", campaign.slug, start, end)],
        [button(t._("Cancel"), "no")],
    )


def purged(t: Translator, title: str, count: int) -> str:
    text = t.ngettext(
        "{count} signature of {title} was removed.",
        "{count} signatures of {title} were removed.",
        count,
    )
    return esc(text).format(count=t.number(count), title=user_text(title))
