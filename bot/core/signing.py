"""The signing flow's use cases, one per tap: each asks bot.domain.flow whether the tap is
accepted at the step the person's draft is at, and writes the next draft by compare-and-set
(bot.core.drafts), so a stale, repeated or out-of-order tap changes nothing and is told so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import Any

from bot.core import drafts, erasure, milestones, people
from bot.core.erasure import Decided
from bot.core.milestones import Milestone
from bot.core.services import Services
from bot.domain import flow
from bot.domain.campaigns import Campaign
from bot.domain.flow import Action
from bot.domain.goals import Progress
from bot.domain.signatories import Listing
from bot.domain.signatures import Confirmed, Counted, Draft, Signature, Step
from bot.domain.text_rules import check_name
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.storage.funnel import Event


class Outcome(Enum):
    AT_STEP = auto()  # the flow at `draft`'s step
    NO_CAMPAIGN = auto()  # no such campaign (any more)
    CLOSED = auto()  # the campaign no longer accepts signatures
    BLOCKED = auto()  # moderators stopped this person from signing
    SIGNED_BEFORE = auto()  # Sign, but already signed: `signature`
    STEP_DONE = auto()  # a stale tap: the flow is at `draft`'s step
    RECORDED = auto()  # a stale tap of a flow that ended in a signature
    GONE = auto()  # a stale tap of a flow that no longer exists: nothing was recorded
    NO_NAME = auto()  # "use my name", but there is no usable one
    NOTHING_TO_EDIT = auto()
    PROMISE_CHANGED = auto()  # where public names appear changed since `draft`'s preview
    TEXT_CHANGED = auto()  # the campaign's text changed since `draft`'s preview


@dataclass(frozen=True)
class Tap:
    """What a tap did, with what its answer shows."""

    outcome: Outcome
    campaign: Campaign | None = None
    draft: Draft | None = None
    signature: Signature | None = None


@dataclass(frozen=True)
class Recorded:
    """A sign button that recorded: a new signature, or an edit (its old values erased)."""

    campaign: Campaign
    signature: Signature
    updated: bool
    progress: Progress
    subscribed: bool  # an edit keeps the subscription; a new signature has none yet
    auto_clean: bool  # the person chose a chat that keeps no trace
    milestone: Milestone | None

    @property
    def held(self) -> bool:
        """The public name looks like one already listed, so it waits for an organiser,
        whatever the preview said about the list: the thanks must say so."""
        sig = self.signature
        return sig.lookalike and Listing.of(self.campaign).queued(sig.review, sig.lookalike)


def _signing(draft: Draft | None, slug: str) -> Draft | None:
    """The draft if it is a signing flow of campaign `slug`."""
    return draft if flow.stage(draft, slug) is not Step.VISIT else None


def _open(svc: Services, slug: str) -> Campaign | Tap:
    campaign = svc.campaign(slug)
    if campaign is None:
        return Tap(Outcome.NO_CAMPAIGN)
    if not campaign.is_open:
        return Tap(Outcome.CLOSED, campaign)
    return campaign


def first_named(draft: Draft) -> tuple[Draft, list[Event]]:
    """The NAMED event, the first time this draft got a name."""
    if draft.counted & Counted.NAMED:
        return draft, []
    return replace(draft, counted=draft.counted | Counted.NAMED), [Event.NAMED]


async def _stale(svc: Services, user_id: int, campaign: Campaign) -> Tap:
    """A tap of a flow that no longer exists, or of a step already passed: which one."""
    draft = _signing(await drafts.live(svc, svc.person(user_id)), campaign.slug)
    if draft is not None:
        # A tap on an old message (its update was lost to a Telegram error): where the signer
        # really is, or they would be left with buttons that do nothing.
        return Tap(Outcome.STEP_DONE, campaign, draft)
    if await people.signature_in(svc, user_id, campaign.slug) is not None:
        return Tap(Outcome.RECORDED, campaign)
    return Tap(Outcome.GONE, campaign)


async def start(svc: Services, user_id: int, bot: int, slug: str, message_id: int | None) -> Tap:
    """Sign on the card (or Back from the privacy notice) in the chat with `bot`: the flow
    where it stands, or a new one that keeps the visit's source."""
    opened = _open(svc, slug)
    if isinstance(opened, Tap):
        return opened
    campaign = opened
    person, block, signer = svc.person(user_id), svc.block(user_id), svc.signer(user_id, slug)
    now = svc.now()

    def decide(conn: Any, current: Draft | None) -> Decided[Tap]:
        if signer_store.blocked(conn, block):
            return Tap(Outcome.BLOCKED, campaign), None, ()
        existing = signature_store.find_in(conn, slug, signer)
        if existing is not None:
            return Tap(Outcome.SIGNED_BEFORE, campaign, signature=existing), None, ()
        draft = _signing(current, slug)
        if draft is not None:
            if message_id is None or (draft.message_id, draft.bot) == (message_id, bot):
                return Tap(Outcome.AT_STEP, campaign, draft), None, ()
            draft = replace(draft, message_id=message_id, bot=bot)
            return Tap(Outcome.AT_STEP, campaign, draft), draft, ()
        visit = current if current is not None and current.campaign == slug else None
        counted = visit.counted if visit else Counted.NONE
        started = Draft(
            person,
            slug,
            Step.VISIT,
            message_id=message_id,
            source=visit.source if visit else None,
            counted=counted | Counted.STARTED,
            bot=bot,
        )
        draft = flow.moved(started, Action.SIGN, now)
        events = [] if counted & Counted.STARTED else [Event.STARTED]
        return Tap(Outcome.AT_STEP, campaign, draft), draft, events

    # One transaction: nothing can come between the read and the write.
    tap, _ = await erasure.change_draft(svc, person, decide)
    return tap


async def move(
    svc: Services, user_id: int, slug: str, action: Action, profile_name: str | None = None
) -> Tap:
    """A button that moves the draft to the next step: the profile name (PROFILE_NAME; the
    kept name when editing), role and organisation (EXTRAS), back to the preview (BACK)."""
    opened = _open(svc, slug)
    if isinstance(opened, Tap):
        return opened
    campaign = opened
    draft = _signing(await drafts.live(svc, svc.person(user_id)), slug)
    if draft is None or not flow.accepts(draft.step, action):
        return await _stale(svc, user_id, campaign)
    new = flow.moved(draft, action, svc.now())
    events: list[Event] = []
    if action is Action.PROFILE_NAME:
        offered = check_name(profile_name or "")
        name = draft.name or (offered.value if offered.ok else None)
        if not name:
            return Tap(Outcome.NO_NAME, campaign)
        new, events = first_named(replace(new, name=name))
    if not await drafts.write_if(svc, draft, new, events):
        return await _stale(svc, user_id, campaign)
    return Tap(Outcome.AT_STEP, campaign, new)


async def edit(svc: Services, user_id: int, bot: int, slug: str, message_id: int | None) -> Tap:
    """Edit (in the chat with `bot`): the draft back at the name, or a new draft holding the
    signature's values."""
    opened = _open(svc, slug)
    if isinstance(opened, Tap):
        return opened
    campaign = opened
    person = svc.person(user_id)
    current = await drafts.live(svc, person)
    draft = _signing(current, slug)
    if draft is None:
        existing = await people.signature_in(svc, user_id, slug)
        if existing is None:
            return Tap(Outcome.NOTHING_TO_EDIT, campaign)
        draft = Draft(
            person,
            slug,
            Step.VISIT,
            name=existing.name,
            role=existing.role,
            organisation=existing.organisation,
            public=existing.public,
            editing=True,
        )
    new = replace(flow.moved(draft, Action.EDIT, svc.now()), message_id=message_id, bot=bot)
    if not await drafts.write_if(svc, current, new):
        again = _signing(await drafts.live(svc, person), slug)
        return (
            Tap(Outcome.AT_STEP, campaign, again) if again else await _stale(svc, user_id, campaign)
        )
    return Tap(Outcome.AT_STEP, campaign, new)


async def confirm(
    svc: Services,
    user_id: int,
    slug: str,
    public: bool,
    promise: str,
    version: str,
    language: str,
) -> Tap | Recorded:
    """A sign button, public or not, pressed under what its preview `promise`d about where
    public names appear and with the text `version` it showed: recorded only if both still
    hold, else the preview is shown again."""
    opened = _open(svc, slug)
    if isinstance(opened, Tap):
        return opened
    campaign = opened

    def refusal(found: Draft | None) -> Outcome | None:
        draft = _signing(found, slug)
        if draft is None or not flow.can_sign(draft):
            return Outcome.GONE
        if promise != Listing.of(campaign).promise:  # the organisers changed it since
            return Outcome.PROMISE_CHANGED
        if version != campaign.version_for(language):  # the text changed since the preview
            return Outcome.TEXT_CHANGED
        return None

    def choose(found: Draft | None) -> Draft | None:
        return None if found is None or refusal(found) else replace(found, public=public)

    signed = await _sign(svc, user_id, campaign, choose, language)
    if isinstance(signed, (Recorded, Tap)):
        return signed
    refused = refusal(signed.found)
    if refused is None or refused is Outcome.GONE:
        return await _stale(svc, user_id, campaign)
    return Tap(refused, campaign, signed.found)


async def nameless(svc: Services, user_id: int, slug: str, language: str) -> Tap | Recorded:
    """Counted without a name, where the campaign allows it: only the pseudonym is kept."""
    opened = _open(svc, slug)
    if isinstance(opened, Tap):
        return opened
    campaign = opened

    def choose(found: Draft | None) -> Draft | None:
        draft = _signing(found, slug)
        if (
            not campaign.nameless
            or draft is None
            or not flow.accepts(draft.step, Action.NAMELESS)
            or draft.editing
        ):
            return None
        return replace(draft, name=None, role=None, organisation=None, public=False)

    signed = await _sign(svc, user_id, campaign, choose, language)
    if isinstance(signed, (Recorded, Tap)):
        return signed
    return await _stale(svc, user_id, campaign)


async def _sign(
    svc: Services,
    user_id: int,
    campaign: Campaign,
    choose: Callable[[Draft | None], Draft | None],
    language: str,
) -> Recorded | Tap | erasure.Signed:
    """The draft `choose` makes of the live one becomes a signature, once, in one round trip
    (an edit's old values are erased); the Signed when nothing was chosen."""

    def consent(draft: Draft) -> tuple[bool, bool]:
        # What the preview told them: a public name is in the bot's list only if it has one,
        # and on the published site only if the campaign publishes its list there.
        return bool(draft.public) and campaign.signatories, bool(
            draft.public
        ) and campaign.web_signatories

    version = campaign.version_for(language)
    signed = await erasure.sign_live(
        svc, user_id, campaign.slug, choose, language, consent, version
    )
    result = signed.result
    if result is None:
        return signed
    if result.outcome is Confirmed.BLOCKED:
        return Tap(Outcome.BLOCKED, campaign)
    if result.outcome is Confirmed.NO_DRAFT or result.signature is None:
        return await _stale(svc, user_id, campaign)
    assert signed.counter is not None
    updated = result.outcome is Confirmed.UPDATED
    progress = svc.progress_of(campaign, signed.counter)
    return Recorded(
        campaign,
        result.signature,
        updated,
        progress,
        updated and await people.is_subscribed(svc, user_id, campaign.slug),
        signed.auto_clean,
        None
        if updated
        else await milestones.reached(
            svc, campaign, result.count, progress.ladder, announced=signed.counter[4]
        ),
    )


async def cancel(svc: Services, user_id: int) -> Draft | None:
    """Erases the person's draft (any campaign): a signing flow, or a visit (a reader can
    forget at once which campaign they opened and through which link); returns it, or None
    if there was none to cancel. Choices a visitor made stay until the row expires."""
    person = svc.person(user_id)
    draft = await drafts.live(svc, person)
    if draft is None or not flow.accepts(flow.stage(draft), Action.CANCEL):
        return None
    erased = await erasure.drop_draft(svc, person, cancelled=True)
    return draft if erased.rows else None
