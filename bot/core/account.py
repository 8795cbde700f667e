"""A signer's own data: withdrawing, updates on and off, /stop, and /mydata's inventory."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import draft_lifetime
from bot.core import drafts, erasure, people, trail
from bot.core.choices import Kept
from bot.core.erasure import Erased
from bot.core.services import Services
from bot.domain.signatures import Draft, Signature
from bot.storage import drafts as draft_store
from bot.storage import signers as signer_store


@dataclass(frozen=True)
class Withdrawal:
    erased: Erased  # `complete`: no copy is left in the journal either
    auto_clean: bool  # the person's choice, read before their preferences went
    count: int | None  # the campaign's count now (None: its folder is gone)


async def withdraw(svc: Services, user_id: int, slug: str) -> Withdrawal | None:
    """Erases the person's signature in `slug`; None when there was none."""
    auto = await trail.auto_clean(svc, svc.person(user_id))
    erased = await erasure.withdraw(svc, user_id, slug)
    if not erased.rows:
        return None
    campaign = svc.campaign(slug)
    count = (await svc.progress(campaign)).count if campaign is not None else None
    return Withdrawal(erased, auto, count)


async def set_updates(
    svc: Services, user_id: int, bot: int, slug: str, on: bool, language: str
) -> bool:
    """Opting in is the only moment the chat id is stored (sealed), with the bot it came
    through: updates go to that chat; opting out erases it. False when the person has not
    signed `slug` (nothing changes)."""
    if await people.signature_in(svc, user_id, slug) is None:
        return False
    if on:
        subscriber = svc.subscriber(user_id, slug)
        chat = svc.ids.seal_chat(user_id)
        await signer_store.subscribe(svc.db, slug, subscriber, chat, bot, language)
    else:
        await erasure.stop_updates(svc, user_id, slug)
    return True


@dataclass(frozen=True)
class Stopped:
    """What /stop left alone, for its answer to say."""

    signed: bool  # signatures stay
    choices: bool  # a chosen language or automatic clean-up stays


async def stop(svc: Services, user_id: int) -> Stopped:
    """/stop stops updates (every subscription, so every sealed chat id) and nothing else:
    switching off a clean-up or a language nobody asked to lose would leave someone at risk
    with a chat they thought was cleaned."""
    await erasure.stop_all_updates(svc, user_id)
    person = svc.person(user_id)
    chose = await people.stored_language(svc, user_id) is not None
    return Stopped(
        bool(await people.signatures_of(svc, user_id)),
        chose or await trail.auto_clean(svc, person),
    )


@dataclass(frozen=True)
class Holdings:
    """Everything held about one person, as /mydata shows it: one field per table keyed by
    their pseudonyms (signatures, subscriptions, blocks, preferences, drafts, trail)."""

    signatures: tuple[tuple[Signature, bool], ...]  # each with whether updates are on
    language: str | None  # the one they chose; None: Telegram's, nothing stored
    auto_clean: bool  # they chose automatic clean-up after signing
    kept: Kept  # where those choices are kept
    choices_until: int | None  # when a visitor's choices go (None: a signer's, or none)
    draft: Draft | None  # an unfinished signature, or the campaign they opened last
    draft_until: int | None  # when it expires
    trail_from: int | None  # the message id where the conversation to clean up begins
    trail_until: int | None  # when that is forgotten
    blocked: bool


async def holdings(svc: Services, user_id: int, bot: int) -> Holdings:
    signatures = await people.signatures_of(svc, user_id)
    person = svc.person(user_id)
    ttl = draft_lifetime(svc.settings)
    draft = await drafts.live(svc, person)
    on_draft = await draft_store.choices(svc.db, person, svc.now(), ttl)
    held = await trail.held(svc, person, bot)
    return Holdings(
        tuple([(s, await people.is_subscribed(svc, user_id, s.campaign)) for s in signatures]),
        await people.stored_language(svc, user_id),
        await trail.auto_clean(svc, person),
        Kept.PREFERENCE if signatures else Kept.WITH_DRAFT,
        on_draft.touched_at + ttl if on_draft else None,
        draft,
        draft.updated_at + ttl if draft else None,
        held.first_message if held else None,
        held.until if held else None,
        await people.is_blocked(svc, user_id),
    )
