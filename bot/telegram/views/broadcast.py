"""The organiser's broadcast preview: which subscribers get which language's text; and the
message as each subscriber gets it, with its one-tap "Stop updates"."""

from __future__ import annotations

from bot.domain.campaigns import Campaign
from bot.i18n import NATIVE_NAMES, I18n, Translator
from bot.telegram.views.admin import title_of
from bot.telegram.views.common import View, button, esc, keyboard, plain_text, shorten, user_text


def usage(t: Translator) -> str:
    return t._(
        "Usage: reply to the message you want to send with /broadcast [campaign] [language]. "
        "It goes to the signers who asked for updates, each in their language: reply once per "
        "language before confirming. Without a language, the text is the campaign's default "
        "language."
    )


def _excerpt(html: str) -> str:
    """The start of a text as plain words, so the organiser sees which text each language has."""
    return shorten(" ".join(plain_text(html).split()), 60)


def _name(code: str) -> str:
    return NATIVE_NAMES.get(code, code)


def preview(
    t: Translator,
    campaign: Campaign,
    broadcast_id: int,
    added: str,
    texts: dict[str, str],
    audience: dict[str, int],
    by_bot: tuple[tuple[str, int], ...] = (),
) -> View:
    """What the confirmation will do; Confirm is offered only with the default language's text."""
    default = campaign.default_language
    total = sum(audience.values())
    lines = [
        esc(t._("The message above is the text in {language}.")).format(language=esc(_name(added))),
        esc(
            t.ngettext(
                "The broadcast will go to {count} subscriber of “{title}”:",
                "The broadcast will go to {count} subscribers of “{title}”:",
                total,
            )
        ).format(count=t.number(total), title=user_text(title_of(campaign, t))),
    ]
    for code, count in sorted(audience.items(), key=lambda item: (-item[1], item[0])):
        shown = code if code in texts else default
        if code in texts:
            what = t._("{language}: {count} — their own text")
        else:
            what = t._("{language}: {count} — the text in {default}")
        lines.append(
            "• "
            + esc(what).format(
                language=esc(_name(code) if code else t._("language unknown")),
                count=t.number(count),
                default=esc(_name(shown)),
            )
        )
    if by_bot:
        lines += ["", esc(t._("Each subscriber gets it through the bot they subscribed with:"))]
        for bot, count in by_bot:
            reach = t.ngettext("{bot}: {count} subscriber", "{bot}: {count} subscribers", count)
            lines.append("• " + esc(reach).format(bot=esc(bot), count=t.number(count)))
    lines += ["", esc(t._("Texts so far:"))]
    lines += [f"• {esc(_name(code))}: {user_text(_excerpt(texts[code]))}" for code in sorted(texts)]
    more = t._("To add a language, reply to its text with /broadcast {campaign} <language>.")
    lines.append(esc(more).format(campaign=esc(campaign.slug)))
    cancel = button("✖️ " + t._("Cancel"), "bcx", broadcast_id)
    if default not in texts:
        missing = t._(
            "It cannot be sent without the text in {language}, the campaign's default "
            "language: reply to that text with /broadcast {campaign} {code}."
        )
        lines += [
            "",
            "⚠️ "
            + esc(missing).format(
                language=esc(_name(default)), campaign=esc(campaign.slug), code=default
            ),
        ]
        return View("\n".join(lines), keyboard([cancel]))
    lines += ["", esc(t._("Send it?"))]
    return View(
        "\n".join(lines), keyboard([button("✅ " + t._("Confirm"), "bc", broadcast_id), cancel])
    )


def delivery(t: Translator, campaign: Campaign | None, slug: str, html: str) -> View:
    """A broadcast or milestone notice as a subscriber gets it. The first line names no
    campaign: it is what a lock screen shows to whoever holds the phone. The campaign follows,
    then the text, and one tap stops this campaign's updates (bot.core.erasure)."""
    title = user_text(title_of(campaign, t)) if campaign is not None else esc(slug)
    head = "🔔 " + esc(t._("An update you asked for"))
    stop = button("🔕 " + t._("Stop updates"), "stop", slug)
    return View(f"{head}\n<b>{title}</b>\n\n{html}", keyboard([stop]))


MESSAGE_LIMIT = 4096  # Telegram's, in UTF-16 units of the text as shown


def excess(i18n: I18n, campaign: Campaign, html: str) -> int:
    """How far the longest subscriber's copy of `html` (in any language, with the first line
    and the campaign's title in front) goes past Telegram's limit; 0 when it fits."""
    longest = max(
        len(
            plain_text(delivery(i18n.get(code), campaign, campaign.slug, html).text).encode(
                "utf-16-le"
            )
        )
        // 2
        for code in i18n.languages()
    )
    return max(0, longest - MESSAGE_LIMIT)


def too_long(t: Translator, over: int) -> str:
    return t.ngettext(
        "Every subscriber's copy starts with a line and the campaign's title, so this text is "
        "{count} character too long. Shorten it and reply with /broadcast again.",
        "Every subscriber's copy starts with a line and the campaign's title, so this text is "
        "{count} characters too long. Shorten it and reply with /broadcast again.",
        over,
    ).format(count=t.number(over))


def milestone_texts(i18n: I18n, campaign: Campaign, reached: int, goal: int) -> dict[str, str]:
    """The notice in every language the bot speaks, each with the campaign's title in it, what
    reaching this goal does (✅) and what the next one will (🎯), where the campaign says so."""
    texts = {}
    for language in i18n.languages():
        t = i18n.get(language)
        text, _ = campaign.text_for(language)
        lines = [
            esc(
                t.ngettext(
                    "🎉 “{title}” has reached {count} signature! Next goal: {goal}.",
                    "🎉 “{title}” has reached {count} signatures! Next goal: {goal}.",
                    reached,
                )
            ).format(title=esc(text.title), count=t.number(reached), goal=t.number(goal))
        ]
        for mark, amount in (("✅", reached), ("🎯", goal)):
            meaning = campaign.goal_meaning(amount).in_language(language)
            if meaning:  # at most 200 characters each (bot.core.content): far below 4,096
                lines.append(f"{mark} <i>{esc(meaning)}</i>")
        texts[language] = "\n".join(lines)
    return texts
