"""Texts of the official bots (reserve bots): an admin's /bots, and the line that tells
supporters which bots are the real ones (/help, the thank-you message's small print)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.bots import OfficialBot, Refusal, Role
from bot.i18n import Translator
from bot.telegram.views.common import bold, esc


def role_name(t: Translator, role: Role) -> str:
    names = {
        Role.PRIMARY: t._("primary (named first everywhere)"),
        Role.ACTIVE: t._("active (named after the primary)"),
        Role.DORMANT: t._("dormant (serves whoever opens it, advertised nowhere)"),
    }
    return names[role]


def official_line(t: Translator, usernames: Sequence[str]) -> str:
    """The official bots, primary first (HTML): so a supporter can tell a look-alike, and
    knows where to go when one bot is blocked. Empty when none is known yet."""
    if not usernames:
        return ""
    text = t.ngettext(
        "The campaign's official bot is {bots}; any other bot using its name is a look-alike.",
        "The campaign's official bots are {bots}: if one is blocked, use another; any other "
        "bot using their name is a look-alike.",
        len(usernames),
    )
    return esc(text).format(bots=", ".join(f"@{esc(name)}" for name in usernames))


def listing(
    t: Translator, bots: Sequence[OfficialBot], serving: Mapping[int, bool], four_eyes: bool
) -> str:
    """Every official bot the database knows: id, username, role, and whether it serves now
    (`serving` holds the bots this process runs)."""
    lines = [bold(t._("Official bots"))]
    for bot in bots:
        if bot.id not in serving:
            state = t._("not run by this process (not in BOT_TOKENS)")
        elif serving[bot.id]:
            state = t._("serving now")
        else:
            state = t._("not serving now: see /healthz")
        lines.append(
            f"• @{esc(bot.username)} (<code>{bot.id}</code>): "
            f"{esc(role_name(t, bot.role))}; {esc(state)}"
        )
    lines += ["", esc(usage(t))]
    if four_eyes:
        lines.append(
            esc(t._("With two or more admins, a change of role waits for a second admin."))
        )
    return "\n".join(lines)


def usage(t: Translator) -> str:
    return t._(
        "Change a role with /bots role <bot username or id> primary|active|dormant. The "
        "primary is named first on /help, after signing and on the public page, the active "
        "bots after it; a dormant bot serves whoever opens it but is named nowhere. Making a "
        "bot primary makes the former primary active."
    )


def refused(t: Translator, refusal: Refusal, ref: str, role: str) -> str:
    texts = {
        Refusal.UNKNOWN_BOT: t._("No official bot is called “{bot}”: /bots lists them."),
        Refusal.UNKNOWN_ROLE: t._("“{role}” is not a role: use primary, active or dormant."),
        Refusal.LAST_PRIMARY: t._(
            "“{bot}” is the primary bot, and there is always exactly one: make another bot "
            "primary instead (this one then becomes active)."
        ),
        Refusal.UNCHANGED: t._("“{bot}” already has that role: nothing changed."),
    }
    return esc(texts[refusal]).format(bot=esc(ref), role=esc(role))


def changed(t: Translator, bot: OfficialBot, role: Role, demoted: OfficialBot | None) -> str:
    line = esc(t._("@{bot} is now {role}.")).format(
        bot=esc(bot.username), role=esc(role_name(t, role))
    )
    if demoted is not None:
        line += "\n" + esc(t._("@{bot} is now {role}.")).format(
            bot=esc(demoted.username), role=esc(role_name(t, Role.ACTIVE))
        )
    return line
