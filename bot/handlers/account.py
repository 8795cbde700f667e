"""A signer's own data: /mysignature, /withdraw, /privacy, /mydata, /stop, notifications."""

from __future__ import annotations

import contextlib

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, filters

from bot.callbacks import Callback
from bot.handlers.base import answer, send, show, signer_of, translator
from bot.i18n import NATIVE_NAMES
from bot.services import BotApp, BotContext
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.views import signing as views
from bot.views.common import View, button, esc, keyboard, user_text


async def mysignature_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    signatures = await signature_store.of_signer(svc.db, signer_of(update, context))
    if not signatures:
        await send(update, context, View(esc(t._("You have not signed any campaign yet."))))
        return
    for signature in signatures:
        campaign = svc.campaign(signature.campaign)
        if campaign is not None:
            await send(update, context, views.already_signed(t, campaign, signature))


async def withdraw_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    signatures = await signature_store.of_signer(svc.db, signer_of(update, context))
    campaigns = [c for s in signatures if (c := svc.campaign(s.campaign)) is not None]
    if not campaigns:
        await send(update, context, View(esc(t._("You have no signature to withdraw."))))
        return
    if len(campaigns) == 1:
        await send(update, context, views.withdraw_question(t, campaigns[0]))
        return
    rows = [[button(c.text_for(t.language)[0].title[:60], "wd", c.slug)] for c in campaigns]
    await send(
        update, context, View(esc(t._("Which signature do you want to withdraw?")), keyboard(*rows))
    )


async def on_withdraw_ask(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = context.svc.campaign(cb.args[0])
    await answer(update)
    if campaign is not None:
        t = await translator(update, context)
        await show(update, context, views.withdraw_question(t, campaign))


async def on_withdraw_yes(update: Update, context: BotContext, cb: Callback) -> None:
    svc = context.svc
    t = await translator(update, context)
    campaign = svc.campaign(cb.args[0])
    signer = signer_of(update, context)
    erased = await signature_store.erase(svc.db, cb.args[0], signer, svc.now())
    if not erased:
        await answer(update, t._("There is no signature to withdraw."))
        return
    await answer(update)
    text = esc(t._("Your signature has been withdrawn and erased."))
    markup = None
    if campaign is not None:
        count = (await svc.progress(campaign)).count
        signed = t.ngettext("{count} signature", "{count} signatures", count)
        text += "\n\n" + esc(
            t._("The campaign now has {signed}.").format(
                signed=signed.format(count=t.number(count))
            )
        )
        markup = keyboard([button("⬅️ " + t._("Back to the campaign"), "card", campaign.slug)])
    await show(update, context, View(text, markup))


async def on_withdraw_no(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    await answer(update)
    markup = keyboard([button("⬅️ " + t._("Back to the campaign"), "card", cb.args[0])])
    await show(update, context, View(esc(t._("Your signature stays. Thank you!")), markup))


async def on_notify(update: Update, context: BotContext, cb: Callback) -> None:
    """Opting in is the only moment the raw Telegram id is stored; opting out erases it."""
    svc = context.svc
    t = await translator(update, context)
    campaign = svc.campaign(cb.args[0])
    signer = signer_of(update, context)
    user = update.effective_user
    if campaign is None or user is None:
        await answer(update)
        return
    if await signature_store.find(svc.db, campaign.slug, signer) is None:
        await answer(update, t._("Sign first to get updates about this campaign."), alert=True)
        return
    on = cb.args[1] == "1"
    await signer_store.subscribe(svc.db, campaign.slug, signer, user.id, on)
    await answer(
        update,
        t._("We will notify you about this campaign.") if on else t._("Updates are off."),
    )
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # "not modified" after a double tap
            await query.message.edit_reply_markup(
                views.after_signing_keyboard(t, campaign.slug, on)
            )


async def privacy_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    await send(update, context, View(views.privacy_notice(t, context.svc.settings.retention_days)))


async def stop_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    await signer_store.unsubscribe_all(svc.db, signer_of(update, context))
    await send(
        update,
        context,
        View(esc(t._("Done: you will get no more updates from this bot. Your signatures stay."))),
    )


async def mydata_command(update: Update, context: BotContext) -> None:
    """Everything held about this person, shown to them alone."""
    svc = context.svc
    t = await translator(update, context)
    signer = signer_of(update, context)
    lines = ["<b>{}</b>".format(esc(t._("Everything this bot holds about you")))]
    signatures = await signature_store.of_signer(svc.db, signer)
    if not signatures:
        lines.append(esc(t._("No signatures.")))
    for s in signatures:
        campaign = svc.campaign(s.campaign)
        title = campaign.text_for(t.language)[0].title if campaign else s.campaign
        subscribed = await signer_store.is_subscribed(svc.db, s.campaign, signer)
        lines.append(
            "\n".join(
                [
                    f"\n• <b>{esc(title)}</b>",
                    esc(t._("Signed on {date}.").format(date=t.datetime(s.signed_at))),
                    "{}: {}".format(esc(t._("Name")), user_text(s.name) if s.name else "—"),
                    "{}: {}".format(esc(t._("Role")), user_text(s.role) if s.role else "—"),
                    "{}: {}".format(
                        esc(t._("Organisation")),
                        user_text(s.organisation) if s.organisation else "—",
                    ),
                    "{}: {}".format(
                        esc(t._("Shown publicly")), esc(t._("yes") if s.public else t._("no"))
                    ),
                    "{}: {}".format(
                        esc(t._("Updates")),
                        esc(
                            t._("on (your Telegram id is stored for this)")
                            if subscribed
                            else t._("off")
                        ),
                    ),
                ]
            )
        )
    stored = await signer_store.language(svc.db, signer)
    lines.append(
        "\n{}: {}".format(
            esc(t._("Language")), esc(NATIVE_NAMES[stored]) if stored else esc(t._("not chosen"))
        )
    )
    draft = await draft_store.get(svc.db, signer, svc.now(), svc.settings.draft_ttl_hours * 3600)
    if draft is not None:
        lines.append(esc(t._("An unfinished signature draft (erased if not completed).")))
    await send(update, context, View("\n".join(lines)))


ROUTES = {
    "wd": on_withdraw_ask,
    "wdy": on_withdraw_yes,
    "wdn": on_withdraw_no,
    "notify": on_notify,
}


def register(app: BotApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mysignature", mysignature_command, filters=private))
    app.add_handler(CommandHandler("withdraw", withdraw_command, filters=private))
    app.add_handler(CommandHandler("privacy", privacy_command, filters=private))
    app.add_handler(CommandHandler("mydata", mydata_command, filters=private))
    app.add_handler(CommandHandler("stop", stop_command, filters=private))
