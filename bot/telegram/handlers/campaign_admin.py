"""/campaigns and /campaign: an admin lists every campaign, and changes, closes or reopens one
the database owns. The rules are in bot.core.campaign_edits and bot.core.campaign_fields; this
parses, calls one use case, renders."""

from __future__ import annotations

from telegram import Update

from bot.core import campaign_edits, campaign_fields
from bot.core.authoring import Refused
from bot.core.campaign_fields import Changed
from bot.domain.organisers import Level
from bot.i18n import Translator
from bot.telegram.admin_alerts import tell_admins
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.admin_common import admin_id, organiser_button, register_commands
from bot.telegram.handlers.base import CallbackRoute, answer, send
from bot.telegram.views import campaign_admin as views
from bot.telegram.views.authoring import refusal
from bot.telegram.views.common import View, esc, markup_of


async def campaigns_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    await send(update, context, views.overview(t, await campaign_edits.overview(context.svc)))


def _addressees(update: Update) -> str:
    """What follows `/campaign addressees <campaign>`: the rest of its line and every line
    under it, one addressee a line (context.args loses the line breaks)."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    first, _, rest = text.partition("\n")
    words = first.split(maxsplit=3)
    return "\n".join([words[3] if len(words) == 4 else "", rest]).strip()


async def campaign_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    """/campaign close|reopen SLUG, set SLUG SWITCH on|off, goals SLUG N…|-, addressees SLUG
    (one a line, or -), kind SLUG petition|letter, default SLUG LANG, remove SLUG LANG."""
    svc, user = context.svc, admin_id(update)
    verb, count = (args[0] if args else ""), len(args)
    result: Changed | Refused
    if verb == "set" and count == 4 and args[3] in ("on", "off"):
        await _set_switch(update, context, t, args[1], args[2], args[3] == "on")
    elif verb in ("close", "reopen") and count == 2:
        await _set_open(update, context, t, args[1], verb == "reopen")
    elif verb == "goals" and count >= 3:
        result = await campaign_fields.set_goals(svc, user, args[1], " ".join(args[2:]))
        await _show(update, context, t, result, views.goals_changed)
    elif verb == "addressees" and count >= 2 and _addressees(update):
        result = await campaign_fields.set_addressees(svc, user, args[1], _addressees(update))
        await _show(update, context, t, result, views.addressees_changed)
    elif verb == "kind" and count == 3:
        result = await campaign_fields.set_kind(svc, user, args[1], args[2])
        await _show(update, context, t, result, views.kind_changed)
    elif verb == "default" and count == 3:
        result = await campaign_fields.set_default_language(svc, user, args[1], args[2])
        await _show(update, context, t, result, views.default_changed)
    elif verb == "remove" and count == 3:
        result = await campaign_fields.remove_language(svc, user, args[1], args[2])
        await _show(update, context, t, result, views.language_removed)
    else:
        usage = t._(
            "Usage:\n/campaign close|reopen <campaign>\n/campaign set <campaign> <setting> "
            "on|off (settings: {names})\n/campaign goals <campaign> 500 1000 5000 (or - for "
            "the default ladder)\n/campaign addressees <campaign>, then one addressee a line "
            "(or -)\n/campaign kind <campaign> petition|letter\n/campaign default <campaign> "
            "<language>\n/campaign remove <campaign> <language>\nTitle, summary, text, safety "
            "note and goal sentences: send the language's document with the campaign's link "
            "name as its caption."
        ).format(names=", ".join(campaign_edits.WIDENS))
        await send(update, context, View(esc(usage)))


async def _show(
    update: Update,
    context: BotContext,
    t: Translator,
    result: Changed | Refused,
    view: views.ChangedView,
) -> None:
    if isinstance(result, Refused):
        await send(update, context, View(refusal(t, result).rstrip()))
    else:
        await send(update, context, view(t, result))


async def _set_open(
    update: Update, context: BotContext, t: Translator, slug: str, is_open: bool
) -> None:
    done = await campaign_edits.set_open(context.svc, admin_id(update), slug, is_open)
    if isinstance(done, Refused):
        await send(update, context, View(refusal(t, done).rstrip()))
        return
    title = done.text_for(t.language)[0].title
    line = (
        t._("“{title}” is open for signing again.")
        if done.is_open
        else t._("“{title}” is closed: its text and final count stay readable.")
    )
    await send(update, context, View(esc(line.format(title=title))))


async def _set_switch(
    update: Update, context: BotContext, t: Translator, slug: str, name: str, value: bool
) -> None:
    done = await campaign_edits.set_switch(context.svc, admin_id(update), slug, name, value)
    if isinstance(done, Refused):
        await send(update, context, View(refusal(t, done).rstrip()))
    elif isinstance(done, campaign_edits.SwitchAsked):
        asked = done
        await tell_admins(
            context,
            lambda at: views.switch_asked(at, asked).text,
            lambda at: markup_of(views.switch_asked(at, asked)),
            skip=admin_id(update),
        )
        await send(update, context, views.switch_waiting(t))
    else:
        await send(update, context, views.switch_set(t, done, name))


@organiser_button(Level.ADMIN)
async def on_switch_decision(
    update: Update, context: BotContext, cb: Callback, user_id: int, t: Translator
) -> None:
    answer(update, context)
    apply = cb.args[2] == "y"
    done = await campaign_edits.decide_switch(
        context.svc, user_id, cb.arg_int(0), cb.arg_int(1), apply
    )
    if isinstance(done, Refused):
        await send(update, context, View(refusal(t, done).rstrip()))
        return
    title = done.text_for(t.language)[0].title
    line = (
        t._("The change of “{title}” was applied.")
        if apply
        else t._("The change of “{title}” was refused; nothing changed.")
    )
    await send(update, context, View(esc(line.format(title=title))))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"campaigns": campaigns_command, "campaign": campaign_command})
    return {"sw": on_switch_decision}
