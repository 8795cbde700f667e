"""Broadcasts: an admin's draft, its confirmation or discarding, milestone notices, and what
the runner (bot.telegram.broadcast) reads and records while it sends.

The broadcast and all its delivery rows are created in one transaction at confirmation, so
a double tap queues nothing twice and a restart resumes where sending stopped. When it ends
its delivery rows, which hold sealed chat ids, go (bot.core.erasure).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core import approvals, erasure
from bot.core.approvals import Asked
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.approvals import Kind, Request, links_in
from bot.domain.broadcasts import (
    Broadcast,
    BroadcastStatus,
    ConfirmOutcome,
    DeliveryStatus,
    Recipient,
)
from bot.domain.campaigns import Campaign
from bot.storage import broadcasts as store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A draft after a text was added: what its preview shows."""

    id: int
    texts: dict[str, str]  # language -> HTML
    audience: dict[str, int]  # language -> active subscribers ("" when unknown)
    # (bot username, or its id when unknown; active subscribers): each subscriber is reached
    # only through the bot they subscribed with. Empty with a single bot.
    by_bot: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Confirmation:
    outcome: ConfirmOutcome
    recipients: int = 0  # the delivery rows queued, when STARTED
    asked: Asked | None = None  # the request for a second admin, when NEEDS_APPROVAL
    links: tuple[str, ...] = ()  # every link in its texts


async def add_text(
    svc: Services, user_id: int, campaign: Campaign, language: str, html: str
) -> Draft:
    """This admin's draft for `campaign` (made when there is none) with `html` as its text in
    `language`; the campaign's default language's text is the one for everyone else."""
    await erasure.cancel_forgotten_broadcasts(svc)
    broadcast_id = await store.draft_for(svc.db, campaign.slug, user_id, svc.now())
    default = language == campaign.default_language
    await store.set_draft_text(svc.db, broadcast_id, language, html, default=default)
    texts = await store.texts(svc.db, broadcast_id)
    audience = await store.audience(svc.db, campaign.slug)
    detail = f"campaign={campaign.slug} id={broadcast_id} language={language}"
    await audit(svc, user_id, "broadcast_draft", detail)
    return Draft(broadcast_id, texts, audience, await _by_bot(svc, campaign.slug))


async def _by_bot(svc: Services, campaign: str) -> tuple[tuple[str, int], ...]:
    """How many subscribers each official bot reaches (in the order of `svc.bots`), when
    there are several."""
    if len(svc.bots) < 2:
        return ()
    counts = await store.audience_by_bot(svc.db, campaign)
    names = {bot.id: f"@{bot.username}" for bot in svc.bots}
    order = [bot.id for bot in svc.bots] + sorted(set(counts) - set(names))
    return tuple((names.get(bot, str(bot)), counts.get(bot, 0)) for bot in order)


async def _own_draft(svc: Services, broadcast_id: int, user_id: int) -> Broadcast | None:
    """The draft behind a button, if it is this admin's: ids are sequential and callback data
    can be forged, so one admin's press must not send or drop another's half-made draft."""
    stored = await store.get(svc.db, broadcast_id)
    if stored is None or stored.status is not BroadcastStatus.DRAFT or stored.admin_id != user_id:
        return None
    if stored.expired(svc.now()):  # a forgotten preview
        await erasure.cancel_broadcast(svc, broadcast_id)
        return None
    return stored


def _digest(texts: dict[str, str]) -> str:
    """What an approval approves: the texts as they were when it was asked for."""
    encoded = json.dumps(texts, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def links(texts: dict[str, str]) -> tuple[str, ...]:
    """Every link in any language's text (bot.domain.approvals.links_in)."""
    return tuple(dict.fromkeys(link for html in texts.values() for link in links_in(html)))


async def confirm(svc: Services, user_id: int, broadcast_id: int) -> Confirmation:
    """Queues this admin's draft for sending (one delivery row per active subscriber), or,
    while four eyes are in force, asks a second admin; a text with a link is refused where
    there is no second admin, unless BROADCAST_LINKS=allow."""
    stored = await _own_draft(svc, broadcast_id, user_id)
    if stored is None:
        return Confirmation(ConfirmOutcome.GONE)
    campaign = svc.campaign(stored.campaign)
    language = campaign.default_language if campaign is not None else ""
    texts = await store.texts(svc.db, broadcast_id)
    if language not in texts:
        return Confirmation(ConfirmOutcome.NEEDS_DEFAULT)
    found = links(texts)
    if approvals.required(svc):
        await store.keep_draft(svc.db, broadcast_id, svc.now())  # alive while it waits
        audience = sum((await store.audience(svc.db, stored.campaign)).values())
        params = {"id": str(broadcast_id), "digest": _digest(texts)}
        asked = await approvals.ask(svc, user_id, Kind.BROADCAST, stored.campaign, audience, params)
        return Confirmation(ConfirmOutcome.NEEDS_APPROVAL, asked=asked, links=found)
    if found and svc.settings.broadcast_links != "allow":
        await audit(svc, user_id, "broadcast_refused", f"id={broadcast_id} links={len(found)}")
        return Confirmation(ConfirmOutcome.LINKS_REFUSED, links=found)
    return await _start(svc, user_id, broadcast_id, language, texts[language])


async def _start(
    svc: Services, user_id: int, broadcast_id: int, language: str, default: str
) -> Confirmation:
    # The default language as it is now (a reload may have changed it since the preview).
    await store.set_draft_text(svc.db, broadcast_id, language, default, default=True)
    recipients = await store.start(svc.db, broadcast_id)
    if recipients is None:
        return Confirmation(ConfirmOutcome.GONE)
    await audit(svc, user_id, "broadcast_send", f"id={broadcast_id} recipients={recipients}")
    return Confirmation(ConfirmOutcome.STARTED, recipients)


async def start_approved(svc: Services, requester: int, request: Request) -> Confirmation:
    """A broadcast a second admin approved: queued if it is still its requester's draft with
    the very texts that were approved (CHANGED otherwise: nothing is sent)."""
    broadcast_id = int(request.params["id"])
    stored = await _own_draft(svc, broadcast_id, requester)
    if stored is None:
        return Confirmation(ConfirmOutcome.GONE)
    texts = await store.texts(svc.db, broadcast_id)
    campaign = svc.campaign(stored.campaign)
    language = campaign.default_language if campaign is not None else ""
    if _digest(texts) != request.params["digest"] or language not in texts:
        return Confirmation(ConfirmOutcome.CHANGED)
    return await _start(svc, requester, broadcast_id, language, texts[language])


async def discard(svc: Services, user_id: int, broadcast_id: int) -> bool:
    """Cancels this admin's draft; False when it is not theirs or no longer a draft."""
    if await _own_draft(svc, broadcast_id, user_id) is None or not (
        (await erasure.cancel_broadcast(svc, broadcast_id)).rows
    ):
        return False
    await audit(svc, user_id, "broadcast_cancel", f"id={broadcast_id}")
    return True


async def report_progress_in(
    svc: Services, broadcast_id: int, bot: int, message_id: int | None
) -> None:
    """The admin's message (in the chat with `bot`) the runner edits with the counts as it
    sends."""
    await store.set_progress_message(svc.db, broadcast_id, bot, message_id)


async def queue_milestone(svc: Services, campaign: Campaign, texts: dict[str, str]) -> int:
    """A goal reached: the notice (a text per language) queued for the campaign's opted-in
    signers at once; its broadcast id."""
    default = texts.get(campaign.default_language) or next(iter(texts.values()))
    broadcast_id, recipients = await store.create_milestone(
        svc.db, campaign.slug, default, texts, svc.now()
    )
    log.info("milestone notice %d queued for %d recipients", broadcast_id, recipients)
    return broadcast_id


# -- what the runner reads and records ----------------------------------------------------


async def unfinished(svc: Services) -> list[int]:
    """Broadcasts a stop or a restart left sending: the runner resumes them."""
    return await store.unfinished(svc.db)


async def progress(svc: Services, broadcast_id: int) -> Broadcast | None:
    """The broadcast as stored now, with its counts so far."""
    return await store.get(svc.db, broadcast_id)


async def texts(svc: Services, broadcast_id: int) -> dict[str, str]:
    return await store.texts(svc.db, broadcast_id)


async def pending(svc: Services, broadcast_id: int, bots: Iterable[int]) -> list[Recipient]:
    """The next recipients not yet sent to through `bots` (those serving), their chat ids
    opened with the key. A delivery whose seal does not open (damaged) is recorded as failed
    rather than retried forever."""
    recipients = []
    rows = await store.pending_deliveries(svc.db, broadcast_id, bots)
    for subscriber, sealed, clear, bot, language in rows:
        chat_id = clear if clear is not None else svc.ids.unseal_chat(sealed)
        if chat_id is None:
            log.warning("broadcast %d: a delivery's chat id does not open", broadcast_id)
            await store.mark_delivery(svc.db, broadcast_id, subscriber, DeliveryStatus.FAILED)
        else:
            recipients.append(Recipient(subscriber, chat_id, bot, language))
    return recipients


async def waiting(svc: Services, broadcast_id: int) -> dict[int, int]:
    """Deliveries still pending, per bot: those left wait for a bot that is down."""
    return await store.waiting(svc.db, broadcast_id)


async def give_up(svc: Services, broadcast_id: int, bot: int) -> int:
    """Deliveries through a bot down for longer than BROADCAST_WAIT_MINUTES: failed."""
    return await store.give_up(svc.db, broadcast_id, bot)


async def record(
    svc: Services, broadcast_id: int, recipient: Recipient, sent: bool, blocked: bool
) -> None:
    """One delivery's outcome; a recipient who blocked the bot is erased (bot.core.erasure)."""
    if blocked:
        await erasure.recipient_blocked(svc, broadcast_id, recipient)
        return
    outcome = DeliveryStatus.SENT if sent else DeliveryStatus.FAILED
    await store.mark_delivery(svc.db, broadcast_id, recipient.subscriber, outcome)


async def finish(svc: Services, broadcast_id: int) -> Broadcast | None:
    """Every recipient done: the broadcast ends and its delivery rows go; it with its final counts."""
    await erasure.finish_broadcast(svc, broadcast_id)
    return await store.get(svc.db, broadcast_id)


async def sending_progress(svc: Services) -> dict[int, int]:
    """Each broadcast sending now and its messages sent or failed so far (for /healthz)."""
    return await store.sending_progress(svc.db)
