"""What is posted outside the private chat: compact cards with URL buttons only.

Anything that may be forwarded carries URL buttons, never callback buttons, so it keeps working
in any chat, and nothing personal.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.campaigns import Campaign
from bot.domain.goals import Progress
from bot.i18n import NATIVE_NAMES, Translator
from bot.telegram.menus import GROUP
from bot.telegram.views.bots import official_line
from bot.telegram.views.campaign import campaign_line, progress_lines
from bot.telegram.views.common import View, bold, command_lines, esc, keyboard, shorten, url_button


def compact_card(
    t: Translator, campaign: Campaign, progress: Progress, link: str, list_link: str
) -> View:
    """`list_link` opens the public list of signatories in the private chat (where the
    campaign publishes one): names are never posted where the card goes."""
    text, _ = campaign.text_for(t.language)
    body = (
        f"<b>{esc(text.title)}</b>\n{esc(shorten(text.summary, 300))}\n\n"
        f"{progress_lines(t, progress, campaign.is_open)}"
    )
    label = t._("Read and sign") if campaign.is_open else t._("Read")
    rows = [[url_button("✍️ " + label, link)]]
    if campaign.signatories:
        rows.append([url_button("👥 " + t._("Who signed"), list_link)])
    return View(body, keyboard(*rows))


def _listing(
    t: Translator, items: list[tuple[Campaign, Progress, str]]
) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """One bullet and one URL button per campaign (URL buttons work in any chat)."""
    lines = []
    rows = []
    for campaign, progress, link in items:
        text, _ = campaign.text_for(t.language)
        lines.append(campaign_line(t, campaign, progress.count))
        rows.append([url_button("✍️ " + shorten(text.title, 40), link)])
    return lines, rows


def _signing_is_private(t: Translator) -> str:
    return esc(
        t._("Signing happens in a private chat with me; nothing personal is posted in this group.")
    )


def group_list(t: Translator, items: list[tuple[Campaign, Progress, str]]) -> View:
    """Several campaigns in a group: a heading, one line each, and where signing happens."""
    lines, rows = _listing(t, items)
    if any(campaign.is_open for campaign, _, _ in items):
        heading = t._("Campaigns you can sign:")
    else:
        heading = t._("Campaigns:")
    text = "\n".join([bold(heading), *lines, "", _signing_is_private(t)])
    return View(text, keyboard(*rows))


def welcome(t: Translator, items: list[tuple[Campaign, Progress, str]]) -> View:
    intro = esc(
        t._(
            "Hello! I collect signatures for the campaigns below. Signing happens in a private "
            "chat with me; nothing personal is ever posted here. Use /petition to show the card."
        )
    )
    lines, rows = _listing(t, items)
    # A new group gets the default language: say at once that it can be switched.
    switch = esc(t._("Administrators of this group can switch my language with /language."))
    return View("\n".join([intro, "", *lines, "", switch]), keyboard(*rows))


def group_help(t: Translator, bot_username: str, official: Sequence[str] = ()) -> View:
    """/help in a group: the group commands (the group menu's words), where signing is, and
    the official bots (primary first, never a dormant one), so that members can tell a
    look-alike and know where to go when one bot is blocked. Nothing personal."""
    lines = [bold(t._("What I can do in this group"))]
    lines += command_lines(t, [(name, text) for name, text in GROUP if name != "help"])
    lines += ["", _signing_is_private(t)]
    if official:
        lines += ["", official_line(t, official)]
    if not bot_username:
        return View("\n".join(lines))
    several = t._("With several bots in this group, add my name: {command}")
    lines.append(esc(several.format(command=f"/petition@{bot_username}")))
    button = url_button("💬 " + t._("Open the private chat"), f"https://t.me/{bot_username}")
    return View("\n".join(lines), keyboard([button]))


def group_language(t: Translator, current: str | None) -> View:
    """The group's language now, and how its administrators set or clear it."""
    if current is None:
        state = t._(
            "This group has no language set: a single campaign's card comes in the "
            "campaign's own language, everything else in {language}."
        )
        state = state.format(language=t.language_name(t.language))
    else:
        state = t._("Language of this group: {language}").format(language=t.language_name(current))
    how = t._("Administrators of the group set it with /language and a code:")
    codes = [f"/language {code} — {esc(name)}" for code, name in NATIVE_NAMES.items()]
    clear = t._("/language default clears it.")
    return View("\n".join(["🌐 " + esc(state), "", esc(how), *codes, esc(clear)]))


def group_language_set(t: Translator, language: str | None) -> View:
    """Confirms a change, in the language the group now has."""
    if language is None:
        text = t._("This group's language is cleared.")
    else:
        text = t._("This group's language is now {language}.").format(
            language=t.language_name(language)
        )
    return View("🌐 " + esc(text))


def group_language_refused(t: Translator) -> View:
    return View(esc(t._("Only the group's administrators can set its language.")))


def share_markup(t: Translator, campaign: Campaign, link: str) -> InlineKeyboardMarkup:
    text, _ = campaign.text_for(t.language)
    share_url = "https://t.me/share/url?" + urlencode({"url": link, "text": text.title})
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "📤 " + t._("Post the card in a chat"), switch_inline_query=campaign.slug
                )
            ],
            [InlineKeyboardButton("🔗 " + t._("Send the link"), url=share_url)],
        ]
    )


def share_caption(t: Translator, campaign: Campaign, link: str) -> str:
    text, _ = campaign.text_for(t.language)
    hint = t._("Print the QR code or forward this message. The link opens the campaign:")
    return f"<b>{esc(shorten(text.title, 200))}</b>\n\n{esc(hint)}\n{esc(link)}"
