"""The data steps that need the key, in the background: subscribers' chat ids sealed
(migrations/0011), then every signer and subscriber moved to the slow base (version 3).

A signature's seal holds its person's old base (the key opens it) and a subscription its chat
id, so each person's new base is computed once, from either, and all their rows move together
(bot.storage.keys.come_back). It runs in the background, a core at a time beside the live
traffic; each person is one transaction, so a killed upgrade resumes where it stopped.
Nobody's signature is deleted or anonymised for not coming back.
"""

from __future__ import annotations

import asyncio
import logging
import os

from bot.core.services import Services
from bot.storage import keys as key_store

log = logging.getLogger(__name__)


async def needed(svc: Services) -> bool:
    """Whether a data step has work left: rows in the old form, or a chat id in clear."""
    return svc.legacy or await key_store.clear_chats_left(svc.db)


async def run(svc: Services) -> int:
    """Seals every clear chat id, then moves every signer and subscriber still in the old
    form; returns how many people moved."""
    sealed = await key_store.seal_clear_chats(svc.db, svc.ids)
    if sealed:
        log.info("sealed chat ids: %d rows", sealed)
        await svc.db.purge_wal()  # no clear chat id may linger in the journal
    if not svc.legacy:
        return 0
    batch = max(2, 2 * (os.cpu_count() or 1))
    moved = 0
    while people := await key_store.legacy_people(svc.db, svc.ids, svc.settings.signer_key, batch):
        held = await svc.campaigns_held()
        slow = await asyncio.gather(*(svc.bases.compute(fast) for fast, _ in people))
        for (fast, old), base in zip(people, slow, strict=True):
            await key_store.come_back(svc.db, svc.ids, fast, base, held)
            if old:
                await key_store.settle_subscriptions(svc.db, svc.ids, old, base)
        moved += len(people)
        if moved % 500 < len(people):
            log.info("pseudonyms version 3: %d people moved so far", moved)
    log.info("pseudonyms version 3: all %d people moved", moved)
    # The old forms must not linger in the journal, also those moved by people who came back
    # while this ran (their move alone leaves them to the periodic checkpoint).
    await svc.db.purge_wal()
    return moved
