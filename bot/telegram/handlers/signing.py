"""The signing flow: card → Sign → name → one of two sign buttons (bot.domain.flow).

State lives in the `drafts` table, so a restart mid-flow loses nothing; which tap is accepted
at which step, and the compare-and-set writes that make double taps and redelivered updates
harmless, are bot.core.signing's. The flow is one message edited in place; what the signer
types is read and then deleted from the chat (a phone that is searched should not show it).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core import bots, signing
from bot.core.signing import Outcome, Recorded, Tap
from bot.core.typed_text import Read, read_typed, shown_in
from bot.domain.campaigns import Campaign
from bot.domain.flow import Action, Field
from bot.domain.signatures import Draft, Step
from bot.domain.text_rules import check_name
from bot.i18n import Translator
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import cleanup
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    delete_aside,
    edit,
    profile_name,
    send,
    show,
    translator,
    user_id_of,
)
from bot.telegram.handlers.reading import campaign_list_view
from bot.telegram.milestone_notices import send_milestone_notices
from bot.telegram.views import campaign as campaign_views
from bot.telegram.views import signing as views
from bot.telegram.views.cleanup import clean_rows
from bot.telegram.views.common import View, button, esc, keyboard


def flow_view(
    t: Translator, campaign: Campaign, draft: Draft, update: Update, notice: str = ""
) -> View:
    """The flow message for the step the draft is at."""
    if draft.step is Step.NAME:
        offered = profile_name(update)
        usable = check_name(offered).value if offered and check_name(offered).ok else None
        text, _ = campaign.text_for(t.language)
        summary = views.privacy_summary(t) + "\n\n" + campaign_views.safety_line(text)
        return views.name_prompt(t, campaign, draft, usable, notice or summary)
    if draft.step is Step.EXTRAS:
        return views.extras_prompt(t, draft, notice)
    return views.preview(t, campaign, draft, notice)


def _message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message else None


async def _render(update: Update, context: BotContext, tap: Tap) -> None:
    """The answer to a tap of the flow, whatever it did."""
    t = await translator(update, context)
    campaign, draft, outcome = tap.campaign, tap.draft, tap.outcome
    if outcome is Outcome.NO_CAMPAIGN:
        answer(update, context)
        await show(update, context, await campaign_list_view(update, context))
    elif outcome is Outcome.CLOSED:
        closed = t._("This campaign is closed and no longer accepts signatures.")
        answer(update, context, closed, alert=True)
    elif outcome is Outcome.BLOCKED:
        answer(update, context, t._("You cannot sign this campaign."), alert=True)
    elif outcome is Outcome.SIGNED_BEFORE:
        assert campaign is not None and tap.signature is not None
        answer(update, context)
        await show(update, context, views.already_signed(t, campaign, tap.signature))
    elif outcome is Outcome.RECORDED:
        answer(update, context, t._("Your signature is already recorded."))
    elif outcome is Outcome.GONE:
        gone = t._(
            "This signing is no longer open, so nothing was recorded. Press Sign to start again."
        )
        answer(update, context, gone, alert=True)
    elif outcome is Outcome.NO_NAME:
        answer(update, context, t._("Please type your name."))
    elif outcome is Outcome.NOTHING_TO_EDIT:
        answer(update, context, t._("There is nothing to edit."))
    else:
        assert campaign is not None and draft is not None
        notice = ""
        if outcome is Outcome.STEP_DONE:
            answer(update, context, t._("This step is already done."))
        else:
            answer(update, context)
        if outcome is Outcome.PROMISE_CHANGED:
            changed = t._(
                "Where public names appear has changed while you were deciding; "
                "please read it again before you sign."
            )
            notice = _warn(changed)
        if outcome is Outcome.TEXT_CHANGED:
            changed = t._(
                "The campaign's text has changed while you were deciding; please read it "
                "again before you sign."
            )
            notice = _warn(changed)
        await show(update, context, flow_view(t, campaign, draft, update, notice))


async def on_sign(update: Update, context: BotContext, cb: Callback) -> None:
    """Sign on the card (or Back from the privacy notice): the flow at its current step."""
    tap = await signing.start(
        context.svc, user_id_of(update), context.bot.id, cb.args[0], _message_id(update)
    )
    await _render(update, context, tap)


async def _move(update: Update, context: BotContext, cb: Callback, action: Action) -> None:
    svc = context.svc
    tap = await signing.move(svc, user_id_of(update), cb.args[0], action, profile_name(update))
    await _render(update, context, tap)


async def on_profile_name(update: Update, context: BotContext, cb: Callback) -> None:
    await _move(update, context, cb, Action.PROFILE_NAME)


async def on_extras(update: Update, context: BotContext, cb: Callback) -> None:
    await _move(update, context, cb, Action.EXTRAS)


async def on_back(update: Update, context: BotContext, cb: Callback) -> None:
    await _move(update, context, cb, Action.BACK)


async def on_edit(update: Update, context: BotContext, cb: Callback) -> None:
    tap = await signing.edit(
        context.svc, user_id_of(update), context.bot.id, cb.args[0], _message_id(update)
    )
    await _render(update, context, tap)


async def on_privacy(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    answer(update, context)
    auto = await cleanup.auto_clean_wanted(update, context)
    subscribed = await cleanup.subscribed(update, context)
    view = views.privacy_full(t, context.svc.settings, cb.args[0], auto, subscribed)
    await show(update, context, view)


async def _recorded(update: Update, context: BotContext, done: Tap | Recorded) -> None:
    """One of the sign buttons: thanks (or a passing notice and the clean-up), then any goal
    step this signature reached."""
    if isinstance(done, Tap):
        await _render(update, context, done)
        return
    t = await translator(update, context)
    official = bots.official_usernames(context.svc)
    if done.auto_clean:
        # The person chose a chat that keeps no trace: a passing notice, then the clean-up.
        alert = views.recorded_alert(t, done.updated, done.held, official)
        answer(update, context, alert, alert=True)
        await cleanup.leave_no_trace(update, context)
    else:
        answer(update, context)
        thanks = views.thanks(
            t, done.campaign, done.progress, done.updated, done.subscribed, done.held, official
        )
        await show(update, context, thanks)
    if done.milestone is not None:
        await send_milestone_notices(context, done.milestone)


async def on_confirm(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    public = cb.args[1] == "1"
    done = await signing.confirm(
        context.svc, user_id_of(update), cb.args[0], public, cb.args[2], cb.args[3], t.language
    )
    await _recorded(update, context, done)


async def on_nameless(update: Update, context: BotContext, cb: Callback) -> None:
    """Counted without a name, where the campaign allows it: only the pseudonym is kept."""
    t = await translator(update, context)
    done = await signing.nameless(context.svc, user_id_of(update), cb.args[0], t.language)
    await _recorded(update, context, done)


async def _cancel(update: Update, context: BotContext) -> None:
    t = await translator(update, context)
    draft = await signing.cancel(context.svc, user_id_of(update))
    answer(update, context)
    if draft is None:
        await show(update, context, View(esc(t._("There is nothing to cancel."))))
        return
    clean = clean_rows(t, await cleanup.subscribed(update, context))
    if not draft.signing:  # a visit: its Back button would record it again
        forgotten = t._("Forgotten: the campaign you opened and the link you came through.")
        await show(update, context, View(esc(forgotten), keyboard(*clean)))
        return
    text = (
        t._("Cancelled. Nothing was changed.")
        if draft.editing
        else t._("Cancelled. Nothing was recorded.")
    )
    markup = keyboard(*clean, [button("⬅️ " + t._("Back to the campaign"), "card", draft.campaign)])
    await show(update, context, View(esc(text), markup))


async def on_cancel(update: Update, context: BotContext, cb: Callback) -> None:
    await _cancel(update, context)


async def cancel_command(update: Update, context: BotContext) -> None:
    await _cancel(update, context)


async def _flow_message(
    update: Update, context: BotContext, before: Draft, draft: Draft, view: View
) -> None:
    """Shows `view` in the flow message when it is still the newest thing in the chat (only
    messages of the flow, all deleted, came after it, as far as the bot has seen:
    bot.telegram.newest); otherwise, or when it cannot be edited, as a new message that
    becomes the flow message."""
    message = update.effective_message
    assert message is not None
    # Message ids are numbered per bot: the draft's count only in the chat they came from.
    newest = before.bot == context.bot.id and context.runtime.newest.is_newest(
        message.chat_id, message.message_id, (before.message_id, before.last_update)
    )
    shown = await edit(update, context, draft.message_id if newest else None, view)
    await shown_in(context.svc, draft, context.bot.id, shown)


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text goes to the step the signer is at; elsewhere it gets a pointer. Either way
    it is deleted from the chat."""
    svc = context.svc
    message = update.effective_message
    assert message is not None
    t = await translator(update, context)
    forwarded = message.forward_origin is not None
    typed = await read_typed(
        svc, user_id_of(update), context.bot.id, message.message_id, message.text or "", forwarded
    )
    organiser = svc.level(user_id_of(update)) is not None  # their text is a broadcast's source
    if typed.read is Read.CLOSED or (typed.read is Read.POINTER and not organiser):
        # Typed outside the flow (a name again after signing, or into a campaign that has
        # closed): it goes from the chat as it would inside the flow.
        delete_aside(update, context)
    if typed.read is Read.POINTER:
        if typed.campaign is not None:
            title = typed.campaign.text_for(t.language)[0].title
            hint = t._("To sign “{title}”, press ✍️ Sign under the campaign.")
            await send(update, context, View(esc(hint).format(title=esc(title))))
        else:
            await send(update, context, View(esc(t._("To read or sign a campaign, send /start."))))
        return
    if typed.read is Read.CLOSED:
        lines = [esc(t._("This campaign has closed, so nothing was recorded."))]
        if typed.campaign is not None:
            progress = await svc.progress(typed.campaign)
            lines.append(campaign_views.progress_lines(t, progress, is_open=False))
        await send(update, context, View("\n\n".join(lines)))
        return
    if typed.before is None:
        return  # a redelivered message we already handled
    # Whatever is sent inside the flow goes from the chat: a typed name lives on only in the
    # preview, and the flow message stays the newest thing in the chat.
    delete_aside(update, context)
    if typed.draft is None or typed.campaign is None:
        return
    notice = ""
    if typed.read is Read.FORWARDED:
        notice = _warn(t._("Please type it yourself: forwarded messages are not used."))
    elif typed.read is Read.NOT_TEXT:
        notice = _warn(t._("Please send text, or use the buttons below."))
    elif typed.read is Read.NO_ROOM:
        notice = views.no_room_notice(t)
    elif typed.filled:
        notice = views.filled_notice(t, typed.filled)
    elif typed.rejected is not None:
        rejected = typed.rejected
        field = "name" if rejected.field is Field.NAME else "other"
        notice = views.problem_text(t, rejected.problem, field, rejected.length) + "\n\n"
    view = flow_view(t, typed.campaign, typed.draft, update, notice)
    await _flow_message(update, context, typed.before, typed.draft, view)


def _warn(text: str) -> str:
    return "⚠️ " + esc(text) + "\n\n"


def routes() -> dict[str, CallbackRoute]:
    return {
        "sign": on_sign,
        "pname": on_profile_name,
        "noname": on_nameless,
        "priv": on_privacy,
        "extras": on_extras,
        "back": on_back,
        "ok": on_confirm,
        "edit": on_edit,
        "cancel": on_cancel,
    }


def register(app: BotApp) -> dict[str, CallbackRoute]:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("cancel", cancel_command, filters=private))
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, on_text)
    )
    return routes()
