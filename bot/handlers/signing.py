"""The signing flow: name → role → organisation → public/anonymous → preview → confirm.

State lives in the `drafts` table, so a restart mid-flow loses nothing. Every step is a
conditional write ("only if the draft is still at this step"), which makes double taps and
redelivered updates harmless.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.callbacks import Callback
from bot.domain.campaigns import Campaign
from bot.domain.signatures import Draft
from bot.domain.text_rules import check_name, check_optional
from bot.handlers import milestones
from bot.handlers.base import (
    answer,
    person_of,
    profile_name,
    send,
    show,
    signer_of,
    translator,
    user_id_of,
)
from bot.handlers.reading import campaign_list_view
from bot.i18n import Translator
from bot.services import BotApp, BotContext
from bot.storage import drafts as draft_store
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.views import signing as views
from bot.views.common import View, button, esc, keyboard


def _ttl(context: BotContext) -> int:
    return context.svc.settings.draft_ttl_hours * 3600


def prompt_for(t: Translator, campaign: Campaign, draft: Draft, update: Update) -> View:
    if draft.step == "name":
        offered = profile_name(update)
        usable = check_name(offered).value if offered and check_name(offered).ok else None
        return views.name_prompt(t, draft, usable)
    if draft.step in ("role", "org"):
        return views.optional_prompt(t, draft, draft.step)
    if draft.step == "public":
        return views.public_prompt(t, draft)
    return views.preview(t, campaign, draft)


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


async def on_sign(update: Update, context: BotContext, cb: Callback) -> None:
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
    person = person_of(update, context)
    draft = await draft_store.get(svc.db, person, svc.now(), _ttl(context))
    if draft is None or draft.campaign != campaign.slug or not draft.signing:
        source = draft.source if draft is not None and draft.campaign == campaign.slug else None
        draft = Draft(person, campaign.slug, "name", updated_at=svc.now(), source=source)
        await draft_store.save(svc.db, draft)
    view = prompt_for(t, campaign, draft, update)
    # Shown every time: remembering who has seen it would itself say they opened a campaign.
    notice = views.privacy_notice(t, svc.settings.retention_days)
    await show(update, context, View(f"{notice}\n\n{view.text}", view.markup))


async def _step(
    update: Update, context: BotContext, slug: str, step: str, **changes: object
) -> None:
    """Advances the draft from `step` with `changes`; a stale or repeated tap changes nothing."""
    svc = context.svc
    campaign = await _open_campaign(update, context, slug)
    if campaign is None:
        return
    t = await translator(update, context)
    draft = await _draft(update, context)
    if draft is None or draft.campaign != slug or draft.step != step:
        await answer(update, t._("This step is already done."))
        if draft is not None and draft.campaign == slug:
            # A tap on a stale message (its update was lost to a Telegram error): show where
            # the signer really is, or they would be left with buttons that do nothing.
            await show(update, context, prompt_for(t, campaign, draft, update))
        return
    new = draft.advance(updated_at=svc.now(), **changes)
    if not await draft_store.advance(svc.db, step, new):
        await answer(update, t._("This step is already done."))
        return
    await answer(update)
    await show(update, context, prompt_for(t, campaign, new, update))


async def on_profile_name(update: Update, context: BotContext, cb: Callback) -> None:
    draft = await _draft(update, context)
    name = draft.name if draft and draft.name else None
    if name is None:
        checked = check_name(profile_name(update) or "")
        name = checked.value if checked.ok else None
    if name is None:
        t = await translator(update, context)
        await answer(update, t._("Please type your name."))
        return
    await _step(update, context, cb.args[0], "name", name=name)


async def on_skip(update: Update, context: BotContext, cb: Callback) -> None:
    await _step(update, context, cb.args[0], cb.args[1])


async def on_drop(update: Update, context: BotContext, cb: Callback) -> None:
    field = "role" if cb.args[1] == "role" else "organisation"
    await _step(update, context, cb.args[0], cb.args[1], **{field: None})


async def on_public(update: Update, context: BotContext, cb: Callback) -> None:
    await _step(update, context, cb.args[0], "public", public=cb.args[1] == "1")


async def _draft(update: Update, context: BotContext) -> Draft | None:
    """The person's signing draft; a draft that only remembers a visit is not one."""
    svc = context.svc
    draft = await draft_store.get(svc.db, person_of(update, context), svc.now(), _ttl(context))
    return draft if draft is not None and draft.signing else None


async def _flow(
    update: Update, context: BotContext, slug: str
) -> tuple[Campaign, Translator, str, Draft | None] | None:
    """What a flow button needs: the open campaign, the language, the signer and their draft."""
    campaign = await _open_campaign(update, context, slug)
    if campaign is None:
        return None
    signer = signer_of(update, context, campaign.slug)
    return campaign, await translator(update, context), signer, await _draft(update, context)


async def on_confirm(update: Update, context: BotContext, cb: Callback) -> None:
    svc = context.svc
    state = await _flow(update, context, cb.args[0])
    if state is None:
        return
    campaign, t, signer, draft = state
    if draft is None or draft.campaign != campaign.slug or draft.step != "preview":
        await answer(update, t._("Your signature is already recorded."))
        return
    user_id = user_id_of(update)
    result = await signature_store.confirm(
        svc.db,
        draft,
        signer=signer,
        seal=svc.ids.seal(user_id),
        block=svc.ids.block(user_id),
        language=t.language,
        now=svc.now(),
    )
    if result.outcome == "blocked":
        await answer(update, t._("You cannot sign this campaign."), alert=True)
        return
    if result.outcome == "no_draft":
        await answer(update, t._("Your signature is already recorded."))
        return
    await answer(update)
    if result.outcome == "updated":
        await svc.db.purge_wal()  # the old name, role or organisation must not linger
    # A new signature has no subscription yet (withdrawing erased any earlier one).
    subscribed = result.outcome == "updated" and await signer_store.is_subscribed(
        svc.db, campaign.slug, signer
    )
    progress = await svc.progress(campaign)
    await show(
        update,
        context,
        views.thanks(t, campaign, progress, result.outcome == "updated", subscribed),
    )
    if result.outcome == "signed":
        await milestones.after_signature(context, campaign, result.count, progress.ladder)


async def on_edit(update: Update, context: BotContext, cb: Callback) -> None:
    svc = context.svc
    state = await _flow(update, context, cb.args[0])
    if state is None:
        return
    campaign, t, signer, draft = state
    if draft is None or draft.campaign != campaign.slug:
        existing = await signature_store.find(svc.db, campaign.slug, signer)
        if existing is None:
            await answer(update, t._("There is nothing to edit."))
            return
        draft = Draft(
            person_of(update, context),
            campaign.slug,
            "name",
            name=existing.name,
            role=existing.role,
            organisation=existing.organisation,
            public=existing.public,
            editing=True,
        )
    draft = replace(draft, step="name", updated_at=svc.now())
    await draft_store.save(svc.db, draft)
    await answer(update)
    await show(update, context, prompt_for(t, campaign, draft, update))


async def _cancel(update: Update, context: BotContext) -> None:
    svc = context.svc
    t = await translator(update, context)
    draft = await _draft(update, context)
    removed = draft is not None and await draft_store.delete(svc.db, draft.person)
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
    markup = keyboard([button("⬅️ " + t._("Back to the campaign"), "card", draft.campaign)])
    await show(update, context, View(esc(text), markup))


async def on_cancel(update: Update, context: BotContext, cb: Callback) -> None:
    await _cancel(update, context)


async def cancel_command(update: Update, context: BotContext) -> None:
    await _cancel(update, context)


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text goes to the step the signer is at; elsewhere it gets a pointer to /start."""
    svc = context.svc
    message = update.effective_message
    assert message is not None
    t = await translator(update, context)
    draft = await _draft(update, context)
    if draft is None:
        await send(update, context, View(esc(t._("To read or sign a campaign, send /start."))))
        return
    if message.message_id <= draft.last_update:
        return  # a redelivered message we already handled
    campaign = svc.campaign(draft.campaign)
    if campaign is None or not campaign.is_open:
        await draft_store.delete(svc.db, draft.person)
        await send(update, context, View(esc(t._("To read or sign a campaign, send /start."))))
        return
    seen = replace(draft, last_update=message.message_id, updated_at=svc.now())
    text = message.text or ""
    if draft.step in ("public", "preview") or not text:
        await draft_store.advance(svc.db, draft.step, seen)
        hint = "⚠️ " + esc(t._("Please use the buttons below."))
        if not text:
            hint = "⚠️ " + esc(t._("Please send text, or use the buttons below."))
        view = prompt_for(t, campaign, seen, update)
        await send(update, context, View(f"{hint}\n\n{view.text}", view.markup))
        return
    checked = check_name(text) if draft.step == "name" else check_optional(text)
    if not checked.ok:
        assert checked.problem is not None
        await draft_store.advance(svc.db, draft.step, seen)
        field = "name" if draft.step == "name" else "other"
        problem = views.problem_text(t, checked.problem, field, len(checked.value))
        view = prompt_for(t, campaign, seen, update)
        await send(update, context, View(f"{problem}\n\n{view.text}", view.markup))
        return
    field = {"name": "name", "role": "role", "org": "organisation"}[draft.step]
    new = seen.advance(**{field: checked.value})
    if await draft_store.advance(svc.db, draft.step, new):
        await send(update, context, prompt_for(t, campaign, new, update))


ROUTES = {
    "sign": on_sign,
    "pname": on_profile_name,
    "skip": on_skip,
    "drop": on_drop,
    "pub": on_public,
    "ok": on_confirm,
    "edit": on_edit,
    "cancel": on_cancel,
}


def register(app: BotApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("cancel", cancel_command, filters=private))
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, on_text)
    )
