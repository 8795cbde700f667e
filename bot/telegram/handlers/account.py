"""A signer's own data: /mysignature, /withdraw, /privacy, /mydata, /stop, notifications."""

from __future__ import annotations

import contextlib

from telegram import ChatMember, Message, Update
from telegram.error import BadRequest
from telegram.ext import ChatMemberHandler, CommandHandler, filters

from bot.config import backup_window_days
from bot.core import account, erasure, people
from bot.i18n import NATIVE_NAMES
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import cleanup
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator, user_id_of
from bot.telegram.views import cleanup as cleanup_views
from bot.telegram.views import signing as views
from bot.telegram.views.common import View, button, esc, keyboard, user_text


async def mysignature_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    signatures = await people.signatures_of(svc, user_id_of(update))
    if not signatures:
        await send(update, context, View(esc(t._("You have not signed any campaign yet."))))
        return
    for signature in signatures:
        campaign = svc.campaign(signature.campaign)
        if campaign is not None:
            await send(update, context, views.already_signed(t, campaign, signature))
        else:
            await send(update, context, views.withdraw_question(t, None, signature.campaign))


async def withdraw_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    slugs = [s.campaign for s in await people.signatures_of(svc, user_id_of(update))]
    if not slugs:
        await send(update, context, View(esc(t._("You have no signature to withdraw."))))
        return
    if len(slugs) == 1:
        await send(update, context, views.withdraw_question(t, svc.campaign(slugs[0]), slugs[0]))
        return
    rows = [
        [button(views.campaign_title(t, svc.campaign(slug), slug), "wd", slug)] for slug in slugs
    ]
    await send(
        update, context, View(esc(t._("Which signature do you want to withdraw?")), keyboard(*rows))
    )


async def on_withdraw_ask(update: Update, context: BotContext, cb: Callback) -> None:
    await answer(update)
    t = await translator(update, context)
    await show(
        update, context, views.withdraw_question(t, context.svc.campaign(cb.args[0]), cb.args[0])
    )


async def on_withdraw_yes(update: Update, context: BotContext, cb: Callback) -> None:
    svc = context.svc
    t = await translator(update, context)
    slug = cb.args[0]
    campaign = svc.campaign(slug)
    withdrawal = await account.withdraw(svc, user_id_of(update), slug)
    if withdrawal is None:
        await answer(update, t._("There is no signature to withdraw."))
        return
    said = (
        t._("Your signature has been withdrawn and erased.")
        if withdrawal.erased.complete
        else t._(
            "Your signature has been withdrawn. Its last copy in the database journal goes at "
            "the next clean-up, which runs every 10 minutes."
        )
    )
    if withdrawal.auto_clean:
        await answer(update, said, alert=True)
        await cleanup.leave_no_trace(update, context)
        return
    await answer(update)
    text = esc(said)
    if (count := withdrawal.count) is not None:
        signed = t.ngettext("{count} signature", "{count} signatures", count)
        text += "\n\n" + esc(
            t._("The campaign now has {signed}.").format(
                signed=signed.format(count=t.number(count))
            )
        )
    if days := backup_window_days(svc.settings):
        text += "\n\n" + views.backup_line(t, days)
    rows = [[button("🧹 " + t._("Leave no trace in this chat"), "clean")]]
    if campaign is not None:
        rows.append([button("⬅️ " + t._("Back to the campaign"), "card", campaign.slug)])
    await show(update, context, View(text, keyboard(*rows)))


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
    if campaign is None:
        await answer(update)
        return
    on = cb.args[1] == "1"
    if not await account.set_updates(svc, user_id_of(update), campaign.slug, on, t.language):
        await answer(update, t._("Sign first to get updates about this campaign."), alert=True)
        return
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
    settings = context.svc.settings
    notice = views.privacy_notice(t, settings.retention_days, backup_window_days(settings))
    auto = await cleanup.auto_clean_wanted(update, context)
    await send(update, context, cleanup_views.privacy_view(t, notice, auto))


async def stop_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)  # before the preference goes
    text = (
        t._("Done: you will get no more updates from this bot. Your signatures stay.")
        if await account.stop(context.svc, user_id_of(update))
        else t._("Done: you will get no more updates from this bot.")
    )
    await send(update, context, View(esc(text)))


async def on_blocked_by_user(update: Update, context: BotContext) -> None:
    """In a private chat, status `kicked` means the person blocked the bot: act now, not at
    the next broadcast."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await erasure.forget_person(context.svc, change.chat.id)


async def mydata_command(update: Update, context: BotContext) -> None:
    """Everything held about this person, table by table, shown to them alone."""
    svc = context.svc
    t = await translator(update, context)
    held = await account.holdings(svc, user_id_of(update))
    lines = ["<b>{}</b>".format(esc(t._("Everything this bot holds about you")))]
    if not held.signatures:
        lines.append(esc(t._("No signatures.")))
    for s, subscribed in held.signatures:
        campaign = svc.campaign(s.campaign)
        title = campaign.text_for(t.language)[0].title if campaign else s.campaign
        lines.append(
            "\n".join(
                [
                    f"\n• <b>{esc(title)}</b>",
                    esc(t._("Signed: {date}").format(date=t.datetime(s.signed_at))),
                    "{}: {}".format(esc(t._("Name")), user_text(s.name) if s.name else "—"),
                    "{}: {}".format(esc(t._("Role")), user_text(s.role) if s.role else "—"),
                    "{}: {}".format(
                        esc(t._("Organisation")),
                        user_text(s.organisation) if s.organisation else "—",
                    ),
                    "{}: {}".format(
                        esc(t._("Shown publicly")), esc(views.shown_where(t, campaign, s))
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
    language = (
        esc(NATIVE_NAMES[held.language])
        if held.language
        else esc(
            t._("{language} (from your Telegram settings, nothing stored)").format(
                language=NATIVE_NAMES[t.language]
            )
        )
    )
    lines.append("\n{}: {}".format(esc(t._("Language")), language))
    if held.draft:
        lines.append(esc(t._("An unfinished signature draft (erased if not completed).")))
    if held.blocked:
        lines.append(esc(t._("A block: moderators stopped you from signing again.")))
    await send(update, context, View("\n".join(lines)))


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mysignature", mysignature_command, filters=private))
    app.add_handler(CommandHandler("withdraw", withdraw_command, filters=private))
    app.add_handler(CommandHandler("privacy", privacy_command, filters=private))
    app.add_handler(CommandHandler("mydata", mydata_command, filters=private))
    app.add_handler(CommandHandler("stop", stop_command, filters=private))
    # Its own group: the group handlers' ChatMemberHandler would otherwise take every update.
    app.add_handler(
        ChatMemberHandler(on_blocked_by_user, ChatMemberHandler.MY_CHAT_MEMBER), group=1
    )
    return {
        "wd": on_withdraw_ask,
        "wdy": on_withdraw_yes,
        "wdn": on_withdraw_no,
        "notify": on_notify,
    }
