"""What the bot holds about one person, read here and written elsewhere: their signatures,
subscriptions, block and stored language (erasing any of it is bot.core.erasure's)."""

from __future__ import annotations

from bot.config import draft_lifetime
from bot.core.services import Services
from bot.domain.signatures import Signature
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store


async def signatures_of(svc: Services, user_id: int) -> list[Signature]:
    """The person's signatures, oldest first, in every campaign the database holds, loaded
    or not (a campaign folder deleted after closing must not hide a signature from its
    signer)."""
    held = await svc.campaigns_held()
    return await signature_store.of_person(svc.db, {c: svc.signer(user_id, c) for c in held})


async def signature_in(svc: Services, user_id: int, campaign: str) -> Signature | None:
    return await signature_store.find(svc.db, campaign, svc.signer(user_id, campaign))


async def is_subscribed(svc: Services, user_id: int, campaign: str) -> bool:
    return await signer_store.is_subscribed(svc.db, campaign, svc.subscriber(user_id, campaign))


async def subscribed_anywhere(svc: Services, user_id: int) -> bool:
    """Whether the person gets updates from any campaign (the clean-up then offers to stop
    them all: the next broadcast would put a campaign back into the chat)."""
    return await signer_store.any_subscribed(svc.db, await svc.subscriptions_of(user_id))


async def is_blocked(svc: Services, user_id: int) -> bool:
    return await signer_store.is_blocked(svc.db, svc.block(user_id))


async def stored_language(svc: Services, user_id: int) -> str | None:
    """The language the person chose (None: none stored, Telegram's is used)."""
    stale = svc.now() - draft_lifetime(svc.settings)
    return await signer_store.language(svc.db, svc.person(user_id), stale)
