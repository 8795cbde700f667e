"""What is posted outside the private chat: compact cards with URL buttons only.

Anything that may be forwarded carries URL buttons, never callback buttons, so it keeps working
in any chat, and nothing personal.
"""

from __future__ import annotations

from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.campaigns import Campaign
from bot.i18n import Translator
from bot.views.campaign import Progress, progress_lines
from bot.views.common import View, esc, keyboard, shorten, url_button


def compact_card(t: Translator, campaign: Campaign, progress: Progress, link: str) -> View:
    text, _ = campaign.text_for(t.language)
    body = (
        f"<b>{esc(text.title)}</b>\n{esc(shorten(text.summary, 300))}\n\n"
        f"{progress_lines(t, progress, campaign.is_open)}"
    )
    label = t._("Read and sign") if campaign.is_open else t._("Read")
    return View(body, keyboard([url_button("✍️ " + label, link)]))


def group_list(t: Translator, items: list[tuple[Campaign, Progress, str]]) -> View:
    lines = []
    rows = []
    for campaign, progress, link in items:
        text, _ = campaign.text_for(t.language)
        signed = t.ngettext("{count} signature", "{count} signatures", progress.count)
        lines.append(
            f"• <b>{esc(text.title)}</b> — {esc(signed.format(count=t.number(progress.count)))}"
        )
        rows.append([url_button("✍️ " + shorten(text.title, 40), link)])
    return View("\n".join(lines), keyboard(*rows))


def welcome(t: Translator, items: list[tuple[Campaign, Progress, str]]) -> View:
    intro = esc(
        t._(
            "Hello! I collect signatures for the campaigns below. Signing happens in a private "
            "chat with me; nothing personal is ever posted here. Use /petition to show the card."
        )
    )
    listing = group_list(t, items)
    return View(f"{intro}\n\n{listing.text}", listing.markup)


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
