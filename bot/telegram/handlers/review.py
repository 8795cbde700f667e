"""/review, /hide and /unhide: organisers decide which public names appear.

Moderators and admins can both. A batch is approved only if it is still exactly what was
shown (an edited name goes back to the queue), and every press is re-checked: callback data
comes from the client.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.campaigns import Campaign
from bot.i18n import Translator
from bot.storage import signatories as store
from bot.storage import signatures as signature_store
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers.admin_common import (
    admin_id,
    ask_campaign,
    audit,
    moderator_button,
    pick_campaign,
    register_commands,
    reply,
    signature_number,
)
from bot.telegram.handlers.base import CallbackRoute, answer, send, show
from bot.telegram.views import review as views
from bot.telegram.views.common import View, esc


async def _queue(context: BotContext, t: Translator, campaign: Campaign, notice: str = "") -> View:
    db = context.svc.db
    entries = views.batch(await store.waiting(db, campaign.slug, views.BATCH))
    total = await store.waiting_count(db, campaign.slug)
    digest = store.batch_digest(campaign.slug, entries)
    return views.queue(t, campaign, entries, total, digest, notice)


async def review_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    campaign, rest = pick_campaign(context.svc, args)
    if campaign is None or rest:
        await ask_campaign(update, context, t, t._("Usage: /review [campaign]"))
        return
    await send(update, context, await _queue(context, t, campaign))


async def _campaign_of(context: BotContext, *numbers: int) -> Campaign | None:
    for number in numbers:
        found = await signature_store.by_number(context.svc.db, number)
        if found is not None:
            return context.svc.campaign(found[0].campaign)
    return None


@moderator_button
async def on_approve(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    first, last, digest = cb.arg_int(0), cb.arg_int(1), cb.args[2]
    campaign = await _campaign_of(context, first, last)
    await answer(update)
    if campaign is None:
        await show(update, context, View(esc(t._("These names are gone. Open /review again."))))
        return
    count = await store.approve_batch(context.svc.db, campaign.slug, first, last, digest)
    context.svc.forget_recent()
    notice = views.changed(t) if count < 0 else views.approved(t, count)
    await show(update, context, await _queue(context, t, campaign, notice))
    if count > 0:
        detail = f"campaign={campaign.slug} numbers={first}-{last} approved={count}"
        await audit(context, admin_id, "review_approve", detail)


@moderator_button
async def on_hide(
    update: Update, context: BotContext, cb: Callback, admin_id: int, t: Translator
) -> None:
    number = cb.arg_int(0)
    campaign = await _campaign_of(context, number)
    await answer(update)
    hidden = campaign is not None and await store.hide(context.svc.db, number)
    context.svc.forget_recent()
    if campaign is None or not hidden:
        await show(
            update,
            context,
            View(esc(t._("There is no signature #{number}.")).format(number=number)),
        )
        return
    await show(update, context, await _queue(context, t, campaign, views.hidden(t, number)))
    await audit(context, admin_id, "review_hide", f"campaign={campaign.slug} number={number}")


async def _set(
    update: Update, context: BotContext, t: Translator, args: list[str], hiding: bool
) -> None:
    """/hide (`hiding`) or /unhide one name by its signature number."""
    number = signature_number(args)
    if number is None:
        usage = t._("Usage: /hide <number>") if hiding else t._("Usage: /unhide <number>")
        await reply(update, context, esc(usage))
        return
    db = context.svc.db
    changed = await (store.hide(db, number) if hiding else store.unhide(db, number))
    context.svc.forget_recent()
    if not changed:
        found = await signature_store.by_number(db, number)
        missing = (
            t._("There is no signature #{number}.")
            if found is None or (hiding and not found[0].name)
            else t._("Name #{number} is not hidden: nothing was changed.")
        )
        await reply(update, context, esc(missing).format(number=number))
        return
    if hiding:
        text = t._(
            "Name #{number} is hidden from the list of signatories and the documents. "
            "The signature still counts. Hiding is not a block: if this person withdraws and "
            "signs again, the new signature is not hidden (/block stops them signing again)."
        )
    else:
        text = t._("Name #{number} is no longer hidden.")
    await reply(update, context, esc(text).format(number=number))
    action = "review_hide" if hiding else "review_unhide"
    await audit(context, admin_id(update), action, f"number={number}")


async def hide_command(update: Update, context: BotContext, t: Translator, args: list[str]) -> None:
    await _set(update, context, t, args, hiding=True)


async def unhide_command(
    update: Update, context: BotContext, t: Translator, args: list[str]
) -> None:
    await _set(update, context, t, args, hiding=False)


def register(app: BotApp) -> dict[str, CallbackRoute]:
    register_commands(
        app, {"review": review_command, "hide": hide_command, "unhide": unhide_command}
    )
    return {"rva": on_approve, "rvh": on_hide}
