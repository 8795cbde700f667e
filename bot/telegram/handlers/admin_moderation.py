"""/remove and /block: a signature by number, erased after a confirmation button.

Moderators and admins can both. The confirmation shows what bot.domain.signatures.Preview
allows (a name only when its signer made it public), and both steps draw on the organiser's
hourly budgets. The buttons carry the number and the signature's signed_at,
so a stale button (its signature withdrawn or removed since) is refused instead of reaching
another signature; the press is re-checked (organiser, private chat) because callback data
can be forged by any client.
"""

from __future__ import annotations

from telegram import Update

from bot.core import removal
from bot.core.budgets import OverBudget
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.admin_common import (
    admin_id,
    moderator_button,
    refuse_over_budget,
    register_commands,
    reply,
    signature_number,
)
from bot.telegram.handlers.base import CallbackRoute, answer, show
from bot.telegram.views import moderation as views
from bot.telegram.views.admin import stale_button, title_of
from bot.telegram.views.common import View, esc, user_text


async def _confirm(
    update: Update, context: BotContext, t: Translator, args: list[str], block: bool
) -> None:
    number = signature_number(args)
    if number is None:
        usage = t._("Usage: /block <number>") if block else t._("Usage: /remove <number>")
        await reply(update, context, esc(usage))
        return
    shown = await removal.preview(context.svc, admin_id(update), number, block)
    if isinstance(shown, OverBudget):
        await refuse_over_budget(update, context, t, shown)
        return
    if shown is None:
        await reply(
            update, context, esc(t._("There is no signature #{number}.")).format(number=number)
        )
        return
    campaign = context.svc.campaign(shown.campaign)
    await show(update, context, views.preview(t, campaign, shown, block))


async def remove_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    await _confirm(update, context, t, args, block=False)


async def block_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    await _confirm(update, context, t, args, block=True)


@moderator_button
async def on_remove(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    svc = context.svc
    number = cb.arg_int(0)
    block = cb.action == "blk"
    removed = await removal.remove(svc, admin_id, number, cb.arg_int(1), block)
    if isinstance(removed, OverBudget):
        await refuse_over_budget(update, context, t, removed)
        return
    if removed is None:
        answer(update, context)
        await show(update, context, View(stale_button(t, number)))
        return
    signature, count = removed.signature, removed.count
    answer(update, context)
    campaign = svc.campaign(signature.campaign)
    title = title_of(campaign, t) if campaign else signature.campaign
    lines = [
        esc(t._("Signature #{number} removed.")).format(number=number)
        if removed.erased.rows
        else esc(t._("There is no signature #{number}.")).format(number=number),
        esc(
            t.ngettext(
                "“{title}” now has {count} signature.",
                "“{title}” now has {count} signatures.",
                count,
            )
        ).format(title=user_text(title), count=t.number(count)),
    ]
    if removed.erased.blocked:
        lines.append(esc(t._("This person can no longer sign.")))
    await show(update, context, View("\n".join(lines)))


@moderator_button
async def on_dismiss(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    answer(update, context)
    await show(update, context, View(esc(t._("Cancelled. Nothing was changed."))))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(app, {"remove": remove_command, "block": block_command})
    return {"rm": on_remove, "blk": on_remove, "no": on_dismiss}
