"""The locked start: a bot whose key or token is sealed waits here before it is built.

Nothing in this phase talks to Telegram: the Application does not exist yet (the composition
root builds it from the unlocked settings), so no Bot API call is made, no update is fetched
and nobody gets an answer. Only the unlock socket and, with METRICS_LISTEN, an endpoint whose
/healthz says "locked" are open.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial
from pathlib import Path

from bot.config import Settings
from bot.ops.sealed import Sealed
from bot.ops.unlock import UnlockServer
from bot.telegram.health import LockedServer
from bot.telegram.metrics import Metrics

log = logging.getLogger(__name__)


async def wait_until_unlocked(
    settings: Settings, sealed: Sealed, socket: Path, metrics: Metrics
) -> Settings | None:
    """The settings with the key and token opened; None if a stop signal came first.

    Raises UnlockError when the socket cannot be offered safely, and SettingsError when the
    right passphrase opened something that is not a key or a token.
    """
    server: UnlockServer[Settings] = UnlockServer(
        socket, partial(sealed.open, settings), metrics.unlock_refusals.inc
    )
    endpoint = LockedServer(metrics) if settings.metrics_listen else None
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await server.start()
        if endpoint is not None and settings.metrics_listen is not None:
            await endpoint.start(*settings.metrics_listen)
        log.warning("locked: the signer key or token is sealed; run `petition-bot unlock`")
        log.info("waiting for the passphrase on %s", socket)
        unlocked = asyncio.ensure_future(server.unlocked())
        stopped = asyncio.ensure_future(stopping.wait())
        await asyncio.wait((unlocked, stopped), return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not unlocked.done():
            unlocked.cancel()
            log.info("stopped while locked")
            return None
        return unlocked.result()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.close()
        if endpoint is not None:
            await endpoint.stop()
