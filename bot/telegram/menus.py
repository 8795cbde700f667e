"""Command menus and bot descriptions, per language and per bot, set at start-up only when
they changed; each bot's description names that bot's own username.

Which organiser sees which command comes from bot.telegram.permissions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest

from bot.core import organisers
from bot.core.services import Services
from bot.domain.organisers import Level, level_of
from bot.i18n import N_, I18n, Translator
from bot.telegram.permissions import commands_for

log = logging.getLogger(__name__)

PRIVATE = [
    ("start", N_("read the campaign and sign")),
    ("progress", N_("signatures so far and the next goal")),
    ("addressees", N_("who the campaign is addressed to")),
    ("signatories", N_("who signed with a public name")),
    ("notme", N_("report your name on a list you did not sign")),
    ("share", N_("link and QR code to pass it on")),
    ("mysignature", N_("what is recorded for you")),
    ("withdraw", N_("withdraw and erase your signature")),
    ("mydata", N_("everything the bot holds about you")),
    ("privacy", N_("what is stored and who sees it")),
    ("language", N_("choose your language")),
    ("stop", N_("stop all updates")),
    ("cancel", N_("leave the signing you started, or forget the campaign you opened")),
    ("help", N_("what the bot can do")),
]
GROUP = [
    ("petition", N_("show the campaign card")),
    ("progress", N_("signatures so far and the next goal")),
    ("share", N_("link to sign in a private chat")),
    ("signatories", N_("who signed with a public name")),
    ("language", N_("the group's language (administrators only)")),
    ("help", N_("what the bot can do")),
]


DESCRIPTION = N_(
    "I collect signatures for petitions and open letters. Read the campaign in your language, "
    "sign with your name, and follow its progress. Your Telegram account is kept only as a "
    "code computed from it with a secret key (your chat id only if you ask for updates); "
    "/privacy says what is "
    "recorded and for how long, and you can withdraw at any time."
)
SHORT_DESCRIPTION = N_("Sign petitions and open letters in your language; withdraw at any time.")
# Under the description, each bot names itself: a look-alike that copies the description
# carries another bot's username (reserve bots; a username has at most 32 characters).
OWN_NAME = N_("Official bot: @{bot}. Check the username letter by letter before you sign.")


@dataclass(frozen=True)
class MenuCall:
    method: str  # "commands" | "description" | "short_description"
    language: str | None
    scope: str
    payload: tuple[tuple[str, str], ...] | str


def _commands(t: Translator, items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, t._(text)) for name, text in items)


def _organiser_menu(level: Level) -> list[tuple[str, str]]:
    """The private menu plus the organiser commands this level may use."""
    return PRIVATE + commands_for(level)


def plan(
    i18n: I18n,
    username: str,
    admin_ids: frozenset[int],
    moderator_ids: frozenset[int] = frozenset(),
) -> list[MenuCall]:
    """Everything to send to the bot called `username`; `None` language is the fallback for
    unsupported languages."""
    organisers = sorted(admin_ids | moderator_ids)
    calls: list[MenuCall] = []
    for language in (None, *i18n.languages()):
        t = i18n.get(language)
        calls.append(MenuCall("commands", language, "private", _commands(t, PRIVATE)))
        calls.append(MenuCall("commands", language, "groups", _commands(t, GROUP)))
        for user_id in organisers:
            level = level_of(user_id, admin_ids, moderator_ids)
            assert level is not None
            menu = _commands(t, _organiser_menu(level))
            calls.append(MenuCall("commands", language, f"chat:{user_id}", menu))
        own = t._(OWN_NAME).format(bot=username)
        calls.append(MenuCall("description", language, "", f"{t._(DESCRIPTION)}\n\n{own}"))
        calls.append(MenuCall("short_description", language, "", t._(SHORT_DESCRIPTION)))
    return calls


def _scope(name: str) -> BotCommandScope:
    if name == "private":
        return BotCommandScopeAllPrivateChats()
    if name == "groups":
        return BotCommandScopeAllGroupChats()
    return BotCommandScopeChat(int(name.split(":", 1)[1]))


async def _send(bot: Bot, call: MenuCall) -> None:
    if call.method == "commands":
        assert isinstance(call.payload, tuple)
        await bot.set_my_commands(
            [BotCommand(n, d) for n, d in call.payload],
            scope=_scope(call.scope),
            language_code=call.language,
        )
    elif call.method == "description":
        assert isinstance(call.payload, str)
        await bot.set_my_description(call.payload, language_code=call.language)
    else:
        assert isinstance(call.payload, str)
        await bot.set_my_short_description(call.payload, language_code=call.language)


async def publish(bot: Bot, svc: Services) -> int:
    """Sends the bot's menus unless the same ones were sent to it before; returns the calls
    made. Each bot keeps its own record: a reserve bot gets its menus at its first start."""
    settings = svc.settings
    calls = plan(svc.i18n, bot.username, settings.admin_ids, settings.moderator_ids)
    digest = hashlib.sha256(
        json.dumps([c.__dict__ for c in calls], ensure_ascii=False).encode()
    ).hexdigest()
    if await organisers.menus_published(svc, bot.id, digest):
        return 0
    complete = True
    for call in calls:
        try:
            await _send(bot, call)
        except BadRequest as exc:  # e.g. an admin who never opened the bot: "chat not found"
            complete = False
            log.warning("menu %s/%s not set: %s", call.method, call.scope, exc.message)
    if complete:
        await organisers.remember_menus(svc, bot.id, digest)
    return len(calls)
