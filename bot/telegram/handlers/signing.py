"""The signing flow: card → Sign → name → one of two sign buttons (bot.domain.flow).

State lives in the `drafts` table, so a restart mid-flow loses nothing. Every step is a
conditional write ("only if the draft is still at this step"), which makes double taps and
redelivered updates harmless. The flow is one message edited in place; what the signer types
is read and then deleted from the chat (a phone that is searched should not show it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.domain import flow
from bot.domain.campaigns import Campaign
from bot.domain.signatories import Listing
from bot.domain.signatures import Counted, Draft, Step
from bot.domain.text_rules import check_name
from bot.i18n import Translator
from bot.ops.backups import backup_window_days
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.storage.funnel import Event
from bot.telegram.callbacks import Callback
from bot.telegram.context import BotApp, BotContext
from bot.telegram.handlers import cleanup, milestones
from bot.telegram.handlers.base import (
    CallbackRoute,
    answer,
    delete_incoming,
    edit,
    person_of,
    profile_name,
    send,
    show,
    signer_of,
    translator,
    user_id_of,
)
from bot.telegram.handlers.reading import campaign_list_view
from bot.telegram.views import campaign as campaign_views
from bot.telegram.views import signing as views
from bot.telegram.views.common import View, button, esc, keyboard

# How a button moves a draft: the new draft and the funnel events, or None if it cannot.
FlowChange = Callable[[Draft, int], tuple[Draft, list[Event]] | None]


def _ttl(context: BotContext) -> int:
    return context.svc.settings.draft_ttl_hours * 3600


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


def _named(draft: Draft) -> tuple[Draft, list[Event]]:
    """The NAMED event, the first time this draft got a name."""
    if draft.counted & Counted.NAMED:
        return draft, []
    return replace(draft, counted=draft.counted | Counted.NAMED), [Event.NAMED]


async def _any_draft(update: Update, context: BotContext) -> Draft | None:
    svc = context.svc
    return await draft_store.get(svc.db, person_of(update, context), svc.now(), _ttl(context))


async def _draft(update: Update, context: BotContext, slug: str | None = None) -> Draft | None:
    """The person's signing draft (for `slug`, if given); a visit is not one."""
    draft = await _any_draft(update, context)
    if draft is None or not draft.signing or (slug is not None and draft.campaign != slug):
        return None
    return draft


async def _open_campaign(update: Update, context: BotContext, slug: str) -> Campaign | None:
    """The campaign if it accepts signatures; otherwise explains why not."""
    campaign = context.svc.campaign(slug)
    t = await translator(update, context)
    if campaign is None:
        await answer(update)
        await show(update, context, await campaign_list_view(update, context))
        return None
    if not campaign.is_open:
        await answer(
            update, t._("This campaign is closed and no longer accepts signatures."), alert=True
        )
        return None
    return campaign


def _message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message else None


async def _stale(update: Update, context: BotContext, t: Translator, slug: str) -> None:
    """A button of a flow that no longer exists, or of a step already passed: say which."""
    svc = context.svc
    draft = await _draft(update, context, slug)
    if draft is not None:
        # A tap on an old message (its update was lost to a Telegram error): show where the
        # signer really is, or they would be left with buttons that do nothing.
        await answer(update, t._("This step is already done."))
        campaign = svc.campaign(slug)
        if campaign is not None:
            await show(update, context, flow_view(t, campaign, draft, update))
        return
    if await signature_store.find(svc.db, slug, signer_of(update, context, slug)) is not None:
        await answer(update, t._("Your signature is already recorded."))
        return
    await answer(
        update,
        t._("This signing is no longer open, so nothing was recorded. Press Sign to start again."),
        alert=True,
    )


async def on_sign(update: Update, context: BotContext, cb: Callback) -> None:
    """Sign on the card (or Back from the privacy notice): the flow at its current step."""
    svc = context.svc
    campaign = await _open_campaign(update, context, cb.args[0])
    if campaign is None:
        return
    t = await translator(update, context)
    if await signer_store.is_blocked(svc.db, svc.ids.block(user_id_of(update))):
        await answer(update, t._("You cannot sign this campaign."), alert=True)
        return
    existing = await signature_store.find(
        svc.db, campaign.slug, signer_of(update, context, campaign.slug)
    )
    await answer(update)
    if existing is not None:
        await show(update, context, views.already_signed(t, campaign, existing))
        return
    current = await _any_draft(update, context)
    message_id = _message_id(update)
    if current is not None and current.signing and current.campaign == campaign.slug:
        draft = current
        if message_id is not None and draft.message_id != message_id:
            draft = replace(draft, message_id=message_id)
            await draft_store.advance(svc.db, draft.step, draft)
    else:
        visit = current if current is not None and current.campaign == campaign.slug else None
        counted = visit.counted if visit else Counted.NONE
        draft = Draft(
            person_of(update, context),
            campaign.slug,
            Step.NAME,
            message_id=message_id,
            updated_at=svc.now(),
            source=visit.source if visit else None,
            counted=counted | Counted.STARTED,
        )
        events = [] if counted & Counted.STARTED else [Event.STARTED]
        stale = svc.now() - _ttl(context)
        if not await draft_store.replace_if(svc.db, current, draft, events, stale_before=stale):
            # Another tap (a double tap, a redelivery) got there first: show what it made.
            draft = await _draft(update, context, campaign.slug) or draft
    await show(update, context, flow_view(t, campaign, draft, update))


async def _move(
    update: Update,
    context: BotContext,
    cb: Callback,
    expected: Step,
    change: FlowChange,
) -> None:
    """Moves the draft from `expected` with `change`; a stale or repeated tap changes nothing."""
    svc = context.svc
    campaign = await _open_campaign(update, context, cb.args[0])
    if campaign is None:
        return
    t = await translator(update, context)
    draft = await _draft(update, context, campaign.slug)
    if draft is None or draft.step is not expected:
        await _stale(update, context, t, campaign.slug)
        return
    moved = change(draft, svc.now())
    if moved is None:
        await answer(update, t._("Please type your name."))
        return
    new, events = moved
    if not await draft_store.advance(svc.db, expected, new, events):
        await _stale(update, context, t, campaign.slug)
        return
    await answer(update)
    await show(update, context, flow_view(t, campaign, new, update))


async def on_profile_name(update: Update, context: BotContext, cb: Callback) -> None:
    offered = check_name(profile_name(update) or "")

    def change(draft: Draft, now: int) -> tuple[Draft, list[Event]] | None:
        name = draft.name or (offered.value if offered.ok else None)
        return _named(flow.use_name(draft, name, now)) if name else None

    await _move(update, context, cb, Step.NAME, change)


async def on_extras(update: Update, context: BotContext, cb: Callback) -> None:
    await _move(update, context, cb, Step.PREVIEW, lambda d, now: (flow.to_extras(d, now), []))


async def on_back(update: Update, context: BotContext, cb: Callback) -> None:
    await _move(update, context, cb, Step.EXTRAS, lambda d, now: (flow.back_to_preview(d, now), []))


async def on_privacy(update: Update, context: BotContext, cb: Callback) -> None:
    t = await translator(update, context)
    await answer(update)
    auto = await cleanup.auto_clean_wanted(update, context)
    retention = context.svc.settings.retention_days
    backups = backup_window_days(context.svc.settings)
    await show(update, context, views.privacy_full(t, retention, backups, cb.args[0], auto))


async def _record(
    update: Update, context: BotContext, campaign: Campaign, draft: Draft, expected: Step
) -> None:
    """One of the sign buttons: the draft becomes a signature, once."""
    svc = context.svc
    t = await translator(update, context)
    user_id = user_id_of(update)
    result = await signature_store.confirm(
        svc.db,
        draft,
        signer=signer_of(update, context, campaign.slug),
        seal=svc.ids.seal(user_id),
        block=svc.ids.block(user_id),
        language=t.language,
        now=svc.now(),
        expected_step=expected,
        # What the preview told them: a public name is in the bot's list only if it has one.
        list_consent=bool(draft.public) and campaign.signatories,
    )
    if result.outcome == "blocked":
        await answer(update, t._("You cannot sign this campaign."), alert=True)
        return
    if result.outcome == "no_draft":
        await _stale(update, context, t, campaign.slug)
        return
    if result.outcome == "updated":
        await svc.db.purge_wal()  # the old name, role or organisation must not linger
    if await cleanup.auto_clean_wanted(update, context):
        # The person chose a chat that keeps no trace: a passing notice, then the clean-up.
        await answer(update, "✅ " + t._("Thank you! Your signature is recorded."), alert=True)
        await cleanup.leave_no_trace(update, context)
        if result.outcome == "signed":
            progress = await svc.progress(campaign)
            await milestones.after_signature(context, campaign, result.count, progress.ladder)
        return
    await answer(update)
    # A new signature has no subscription yet (withdrawing erased any earlier one).
    subscribed = result.outcome == "updated" and await signer_store.is_subscribed(
        svc.db, campaign.slug, signer_of(update, context, campaign.slug)
    )
    progress = await svc.progress(campaign)
    await show(
        update,
        context,
        views.thanks(t, campaign, progress, result.outcome == "updated", subscribed),
    )
    if result.outcome == "signed":
        await milestones.after_signature(context, campaign, result.count, progress.ladder)


async def on_confirm(update: Update, context: BotContext, cb: Callback) -> None:
    campaign = await _open_campaign(update, context, cb.args[0])
    if campaign is None:
        return
    draft = await _draft(update, context, campaign.slug)
    if draft is None or not flow.can_sign(draft):
        await _stale(update, context, await translator(update, context), campaign.slug)
        return
    if cb.args[2] != Listing.of(campaign).promise:  # the organisers changed it since
        t = await translator(update, context)
        await answer(update)
        notice = (
            "⚠️ "
            + esc(
                t._(
                    "Where public names appear has changed while you were deciding; "
                    "please read it again before you sign."
                )
            )
            + "\n\n"
        )
        await show(update, context, flow_view(t, campaign, draft, update, notice))
        return
    public = cb.args[1] == "1"
    await _record(update, context, campaign, replace(draft, public=public), Step.PREVIEW)


async def on_nameless(update: Update, context: BotContext, cb: Callback) -> None:
    """Counted without a name, where the campaign allows it: only the pseudonym is kept."""
    campaign = await _open_campaign(update, context, cb.args[0])
    if campaign is None:
        return
    draft = await _draft(update, context, campaign.slug)
    if not campaign.nameless or draft is None or draft.step is not Step.NAME or draft.editing:
        await _stale(update, context, await translator(update, context), campaign.slug)
        return
    nameless = replace(draft, name=None, role=None, organisation=None, public=False)
    await _record(update, context, campaign, nameless, Step.NAME)


async def on_edit(update: Update, context: BotContext, cb: Callback) -> None:
    svc = context.svc
    campaign = await _open_campaign(update, context, cb.args[0])
    if campaign is None:
        return
    t = await translator(update, context)
    existing = await signature_store.find(
        svc.db, campaign.slug, signer_of(update, context, campaign.slug)
    )
    draft = await _draft(update, context, campaign.slug)
    if draft is None:
        if existing is None:
            await answer(update, t._("There is nothing to edit."))
            return
        draft = Draft(
            person_of(update, context),
            campaign.slug,
            Step.NAME,
            name=existing.name,
            role=existing.role,
            organisation=existing.organisation,
            public=existing.public,
            editing=True,
        )
    draft = replace(draft, step=Step.NAME, updated_at=svc.now(), message_id=_message_id(update))
    await draft_store.save(svc.db, draft)
    await answer(update)
    await show(update, context, flow_view(t, campaign, draft, update))


async def _cancel(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    draft = await _draft(update, context)
    removed = draft is not None and await draft_store.delete(
        svc.db, draft.person, svc.now(), Event.CANCELLED
    )
    if not removed or draft is None:
        await answer(update)
        await show(update, context, View(esc(t._("There is nothing to cancel."))))
        return
    await svc.db.purge_wal()  # the typed name must not linger where "nothing was recorded"
    await answer(update)
    text = (
        t._("Cancelled. Nothing was changed.")
        if draft.editing
        else t._("Cancelled. Nothing was recorded.")
    )
    markup = keyboard(
        [button("🧹 " + t._("Leave no trace in this chat"), "clean")],
        [button("⬅️ " + t._("Back to the campaign"), "card", draft.campaign)],
    )
    await show(update, context, View(esc(text), markup))


async def on_cancel(update: Update, context: BotContext, cb: Callback) -> None:
    await _cancel(update, context)


async def cancel_command(update: Update, context: BotContext) -> None:
    await _cancel(update, context)


async def _flow_message(
    update: Update, context: BotContext, before: Draft, draft: Draft, view: View
) -> None:
    """Shows `view` in the flow message when it is still the newest thing in the chat (only
    messages of the flow, all deleted, came after it); otherwise, or when it cannot be
    edited, as a new message that becomes the flow message."""
    message = update.effective_message
    assert message is not None
    newest = message.message_id - 1 in (before.message_id, before.last_update)
    shown = await edit(update, context, draft.message_id if newest else None, view)
    if shown != draft.message_id:
        await draft_store.advance(context.svc.db, draft.step, replace(draft, message_id=shown))


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text goes to the step the signer is at; elsewhere it gets a pointer."""
    svc = context.svc
    message = update.effective_message
    assert message is not None
    t = await translator(update, context)
    current = await _any_draft(update, context)
    if current is None or not current.signing:
        visiting = svc.campaign(current.campaign) if current is not None else None
        if visiting is not None and visiting.is_open:
            title = visiting.text_for(t.language)[0].title
            hint = t._("To sign “{title}”, press ✍️ Sign under the campaign.")
            await send(update, context, View(esc(hint).format(title=esc(title))))
        else:
            hint = t._("To read or sign a campaign, send /start.")
            await send(update, context, View(esc(hint)))
        return
    draft = current
    if message.message_id <= draft.last_update:
        return  # a redelivered message we already handled
    campaign = svc.campaign(draft.campaign)
    if campaign is None or not campaign.is_open:
        await draft_store.delete(svc.db, draft.person, svc.now())
        await svc.db.purge_wal()
        lines = [esc(t._("This campaign has closed, so nothing was recorded."))]
        if campaign is not None:
            progress = await svc.progress(campaign)
            lines.append(campaign_views.progress_lines(t, progress, is_open=False))
        await send(update, context, View("\n\n".join(lines)))
        return
    seen = replace(draft, last_update=message.message_id, updated_at=svc.now())
    text = message.text or ""
    # Whatever is sent inside the flow goes from the chat: a typed name lives on only in the
    # preview, and the flow message stays the newest thing in the chat.
    await delete_incoming(update, context)
    if message.forward_origin is not None or not text:
        await draft_store.advance(svc.db, draft.step, seen)
        hint = (
            t._("Please type it yourself: forwarded messages are not used.")
            if message.forward_origin is not None
            else t._("Please send text, or use the buttons below.")
        )
        view = flow_view(t, campaign, seen, update, _warn(hint))
        await _flow_message(update, context, draft, seen, view)
        return
    result = flow.read_text(seen, text, svc.now())
    if isinstance(result, flow.Rejected):
        await draft_store.advance(svc.db, draft.step, seen)
        field = "name" if result.field is flow.Field.NAME else "other"
        notice = views.problem_text(t, result.problem, field, result.length) + "\n\n"
        view = flow_view(t, campaign, seen, update, notice)
        await _flow_message(update, context, draft, seen, view)
        return
    new, events = _named(result.draft) if draft.step is Step.NAME else (result.draft, [])
    if await draft_store.advance(svc.db, draft.step, new, events):
        await _flow_message(update, context, draft, new, flow_view(t, campaign, new, update))


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
