"""A signer's own data: /mysignature, /withdraw, /privacy, /mydata, /stop, notifications."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from telegram import ChatMember, Message, Update
from telegram.error import BadRequest
from telegram.ext import ChatMemberHandler, CommandHandler, filters

from bot.config import Settings, backup_window_days
from bot.core import account, erasure, people
from bot.core.services import Services
from bot.domain.signatures import Step
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import cleanup
from bot.telegram.handlers.base import CallbackRoute, answer, send, show, translator, user_id_of
from bot.telegram.views import cleanup as cleanup_views
from bot.telegram.views import signing as views
from bot.telegram.views.common import View, button, esc, keyboard, user_text
from bot.telegram.views.signing import choices_kept


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
    answer(update, context)
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
        answer(update, context, t._("There is no signature to withdraw."))
        return
    said = (
        t._(
            "Your signature has been withdrawn and deleted from the database. Copies can "
            "remain in the database server's log, replicas and backups until the server "
            "overwrites them."
        )
        if withdrawal.erased.server_copies
        else t._("Your signature has been withdrawn and erased.")
        if withdrawal.erased.complete
        else t._(
            "Your signature has been withdrawn. Its last copy in the database journal goes at "
            "the next clean-up, which runs every 10 minutes."
        )
    )
    if withdrawal.auto_clean:
        answer(update, context, said, alert=True)
        await cleanup.leave_no_trace(update, context)
        return
    answer(update, context)
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
    rows = cleanup_views.clean_rows(t, await cleanup.subscribed(update, context))
    if campaign is not None:
        rows.append([button("⬅️ " + t._("Back to the campaign"), "card", campaign.slug)])
    await show(update, context, View(text, keyboard(*rows)))


async def on_withdraw_no(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    answer(update, context)
    markup = keyboard([button("⬅️ " + t._("Back to the campaign"), "card", cb.args[0])])
    await show(update, context, View(esc(t._("Your signature stays. Thank you!")), markup))


async def on_notify(update: Update, context: BotContext, cb: Callback) -> None:
    """Opting in is the only moment the raw Telegram id is stored; opting out erases it."""
    svc = context.svc
    t = await translator(update, context)
    campaign = svc.campaign(cb.args[0])
    if campaign is None:
        answer(update, context)
        return
    on = cb.args[1] == "1"
    if not await account.set_updates(
        svc, user_id_of(update), context.bot.id, campaign.slug, on, t.language
    ):
        answer(update, context, t._("Sign first to get updates about this campaign."), alert=True)
        return
    if on:  # said at the moment the id is stored, in an alert that waits to be read
        stored = t._(
            "We will notify you about this campaign. To write to you, the bot now stores your "
            "Telegram id; 🔕 Stop updates or /stop erases it."
        )
        answer(update, context, stored, alert=True)
    else:
        answer(update, context, t._("Updates are off."))
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # "not modified" after a double tap
            await query.message.edit_reply_markup(
                views.after_signing_keyboard(t, campaign.slug, on)
            )


async def on_stop(update: Update, context: BotContext, cb: Callback) -> None:
    """The "Stop updates" button under a broadcast or milestone notice. The button names only the
    campaign; whose updates stop is the presser's (their own subscription, erased with its
    pending deliveries by bot.core.erasure). A second tap finds nothing and says the same."""
    t = await translator(update, context)
    await erasure.stop_updates(context.svc, user_id_of(update), cb.args[0])
    answer(update, context, t._("Updates are off."))
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # "not modified" after a double tap
            await query.message.edit_reply_markup(None)


async def privacy_command(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    notice = views.privacy_notice(t, context.svc.settings)
    auto = await cleanup.auto_clean_wanted(update, context)
    subscribed = await cleanup.subscribed(update, context)
    await send(update, context, cleanup_views.privacy_view(t, notice, auto, subscribed))


async def myid_command(update: Update, context: BotContext) -> None:
    """A person's own Telegram id, for a new organiser to put in ADMIN_IDS or MODERATOR_IDS:
    answered in the private chat only, and never stored (no third-party bot needed)."""
    t = await translator(update, context)
    await send(update, context, views.own_id(t, user_id_of(update)))


async def stop_command(update: Update, context: BotContext) -> None:
    """Stops updates only, and says what stays."""
    t = await translator(update, context)
    stopped = await account.stop(context.svc, user_id_of(update))
    if stopped.signed and stopped.choices:
        text = t._(
            "Done: you will get no more updates from this bot. Your signatures stay, and so do "
            "your choices (language, automatic clean-up); /mydata shows them."
        )
    elif stopped.signed:
        text = t._("Done: you will get no more updates from this bot. Your signatures stay.")
    elif stopped.choices:
        text = t._(
            "Done: you will get no more updates from this bot. Your choices (language, "
            "automatic clean-up) stay; /mydata shows them."
        )
    else:
        text = t._("Done: you will get no more updates from this bot.")
    await send(update, context, View(esc(text)))


async def on_blocked_by_user(update: Update, context: BotContext) -> None:
    """In a private chat, status `kicked` means the person blocked the bot: act now, not at
    the next broadcast."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await erasure.forget_person(context.svc, change.chat.id, context.bot.id)


async def mydata_command(update: Update, context: BotContext) -> None:
    """Everything held about this person, table by table, shown to them alone."""
    svc = context.svc
    t = await translator(update, context)
    held = await account.holdings(svc, user_id_of(update), context.bot.id)
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
    lines.extend(_choices_lines(t, held, svc.settings))
    lines.extend(_draft_and_trail_lines(update, t, held, svc))
    if held.blocked:
        lines.append(esc(t._("A block: moderators stopped you from signing again.")))
    await send(update, context, View("\n".join(lines)))


def _choices_lines(t: Translator, held: account.Holdings, settings: Settings) -> list[str]:
    """The language and the automatic clean-up choice, and where they are kept."""
    language = (
        esc(t.language_name(held.language))
        if held.language
        else esc(
            t._("{language} (from your Telegram settings, nothing stored)").format(
                language=t.language_name(t.language)
            )
        )
    )
    lines = [
        "\n{}: {}".format(esc(t._("Language")), language),
        esc(
            t._("Automatic clean-up after signing: on")
            if held.auto_clean
            else t._("Automatic clean-up after signing: off")
        ),
    ]
    if held.language or held.auto_clean:
        lines.append(esc(choices_kept(t, held.kept, settings)))
    if held.choices_until is not None:
        until = t.datetime(held.choices_until)
        lines.append(
            esc(t._("Your choices are erased on {date} unless you sign.").format(date=until))
        )
    return lines


def _draft_and_trail_lines(
    update: Update, t: Translator, held: account.Holdings, svc: Services
) -> list[str]:
    """The unfinished signature (or the campaign opened last) and the clean-up trail."""
    lines = []
    draft = held.draft
    if draft is not None and held.draft_until is not None:
        campaign = svc.campaign(draft.campaign)
        title = user_text(campaign.text_for(t.language)[0].title if campaign else draft.campaign)
        until = esc(t.datetime(held.draft_until))
        if draft.step is Step.VISIT:
            text = t._(
                "The campaign you opened last, {campaign}, and the link you came through; "
                "erased on {date}. /cancel forgets it now."
            )
        else:
            text = t._(
                "An unfinished signature in {campaign}, at the step “{step}”; erased on {date} "
                "unless you sign."
            )
        step = esc(STEP_NAMES[draft.step](t))
        lines.append("\n" + esc(text).format(campaign=title, step=step, date=until))
    if held.trail_from is not None and held.trail_until is not None:
        message = update.effective_message
        newest = message.message_id if message is not None else held.trail_from
        count = max(newest - held.trail_from + 1, 1)
        lines.append(
            esc(
                t.ngettext(
                    "Where this conversation began, so that a clean-up can delete its {count} "
                    "message from this chat; forgotten on {date}.",
                    "Where this conversation began, so that a clean-up can delete its {count} "
                    "messages from this chat; forgotten on {date}.",
                    count,
                ).format(count=t.number(count), date=t.datetime(held.trail_until))
            )
        )
    return lines


STEP_NAMES: dict[Step, Callable[[Translator], str]] = {
    Step.VISIT: lambda t: t._("reading the campaign"),
    Step.NAME: lambda t: t._("your name"),
    Step.EXTRAS: lambda t: t._("role and organisation"),
    Step.PREVIEW: lambda t: t._("the preview before signing"),
}


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mysignature", mysignature_command, filters=private))
    app.add_handler(CommandHandler("withdraw", withdraw_command, filters=private))
    app.add_handler(CommandHandler("privacy", privacy_command, filters=private))
    app.add_handler(CommandHandler("mydata", mydata_command, filters=private))
    app.add_handler(CommandHandler("stop", stop_command, filters=private))
    app.add_handler(CommandHandler("myid", myid_command, filters=private))
    # Its own group: the group handlers' ChatMemberHandler would otherwise take every update.
    app.add_handler(
        ChatMemberHandler(on_blocked_by_user, ChatMemberHandler.MY_CHAT_MEMBER), group=1
    )
    return {
        "wd": on_withdraw_ask,
        "wdy": on_withdraw_yes,
        "wdn": on_withdraw_no,
        "notify": on_notify,
        "stop": on_stop,
    }
