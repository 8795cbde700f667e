"""Small rendering helpers shared by every view."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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


class Button(InlineKeyboardButton):
    """A button with a label and either callback data or a URL, whose Bot API form is made
    from them once: PTB's generic conversion, made again on every call, cost ~30 µs a button
    (issue 32)."""

    __slots__ = ("_sent",)

    def __init__(self, text: str, *, callback_data: str | None = None, url: str | None = None):
        super().__init__(text, callback_data=callback_data, url=url)
        self._sent = {"text": text, **({"url": url} if url else {"callback_data": callback_data})}

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return dict(self._sent)


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard whose Bot API form is its buttons' (see `Button`)."""

    __slots__ = ()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return {"inline_keyboard": [[b.to_dict() for b in row] for row in self.inline_keyboard]}


def button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return Button(label, callback_data=callbacks.encode(action, *args))


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return Button(label, url=url)


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return Keyboard([row for row in rows if row])


Rows = tuple[tuple[InlineKeyboardButton, ...], ...]


def rows(*made: Sequence[InlineKeyboardButton]) -> Rows:
    """Rows to keep (`kept_rows`): the empty ones left out, as `keyboard` does."""
    return tuple(tuple(row) for row in made if row)


def kept_rows(t: Translator, key: tuple[Hashable, ...], make: Callable[[], Rows]) -> Rows:
    """Rows of buttons made once per language for `key`, which names everything they depend
    on (a campaign, a step, a version) and nothing of a person: a journey's keyboards are the
    same for everyone, and building one took ~200 µs (issue 32)."""
    return t.kept(("rows", *key), make)


def kept_keyboard(
    t: Translator, key: tuple[Hashable, ...], make: Callable[[], Rows]
) -> InlineKeyboardMarkup:
    """A whole keyboard made once per language for `key` (as `kept_rows`)."""
    return t.kept(("keyboard", *key), lambda: keyboard(*make()))


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
