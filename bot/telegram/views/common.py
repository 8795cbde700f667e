"""Small rendering helpers shared by every view."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.aggregates import Below, Shown
from bot.i18n import Translator
from bot.telegram import callbacks

FSI, PDI = "\u2068", "\u2069"  # isolate user text so right-to-left names cannot reorder the line


def esc(text: str) -> str:
    """Escapes text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def plain_text(markup: str) -> str:
    """What Telegram shows of an HTML message: the tags gone, the entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def bold(text: str) -> str:
    """A bold heading; keeps gettext calls out of f-strings, where extraction cannot see them."""
    return f"<b>{esc(text)}</b>"


def user_text(text: str) -> str:
    """User-supplied text embedded in a message: escaped and direction-isolated."""
    return f"{FSI}{esc(text)}{PDI}"


def button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(action, *args))


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, url=url)


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def markup_of(view: View) -> InlineKeyboardMarkup:
    """The buttons of a view that has them (for tell_admins, which makes one per admin)."""
    assert view.markup is not None
    return view.markup


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis (one way, used
    everywhere a title must fit a button or a caption)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:  # a word boundary not too far back; else cut mid-word
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"


def command_lines(t: Translator, commands: Iterable[tuple[str, str]]) -> list[str]:
    """ "/name — what it does" for each (name, N_ msgid): the command menus' own words."""
    return [f"/{name} — {esc(t._(text))}" for name, text in commands]


@dataclass
class View:
    """A message to show: HTML text and an optional inline keyboard.

    `harmless`: a second copy of it harms nobody (a card, a campaign list), so it is sent
    again when the first may not have arrived (bot.telegram.client.may_send_again)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    harmless: bool = False


def figure(t: Translator, value: Shown) -> str:
    """A count as bot.domain.aggregates lets it be shown: the number, or "<10" (plain text)."""
    if isinstance(value, Below):
        return "<" + t.number(value.threshold)
    return t.number(value)


def plural_of(value: Shown) -> int:
    """The number that picks a plural form for `value` ("<10 visits" reads like 10)."""
    return value.threshold if isinstance(value, Below) else value
