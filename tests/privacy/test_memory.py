"""The process forgets everyone after minutes: a memory image, swap or a hoster's snapshot
taken later lists nobody who used the bot (bot.domain.expiring, swept by bot.telegram.jobs)."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any

from aiolimiter import AsyncLimiter

from bot.domain.expiring import FORGET_AFTER, Expiring
from bot.domain.signatures import signer_id
from bot.telegram import jobs
from bot.telegram.context import BotApp
from tests.conftest import Clock
from tests.support.faketg import FakeTelegram
from tests.support.harness import Driver, queued_user
from tests.support.steps import CAMPAIGN, sign

_TELEGRAM_SERVERS = "tests.support.faketg"
_LEAVES = (int, float, str, bytes, type(None), type, ModuleType, FunctionType, BuiltinFunctionType)


def _reachable(root: object) -> Iterator[object]:
    """Every object reachable from `root` (gc referents), not entering code (modules' globals,
    classes, functions), this test's own frame, or the fake Telegram (Telegram's servers)."""
    test = asyncio.current_task()  # this test's own frame holds the ids it looks for
    seen = {id(test), id(test and test.get_coro())}
    seen |= {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, _LEAVES) or type(obj).__module__.startswith(_TELEGRAM_SERVERS):
            continue
        stack.extend(gc.get_referents(obj))


async def test_the_process_forgets_every_user_after_minutes(
    running: tuple[BotApp, Driver], tg: FakeTelegram, clock: Clock, monkeypatch: Any
) -> None:
    app, driver = running
    signers = [queued_user(tg, driver, first_name=f"Signer{i}") for i in range(3)]
    for user in signers:
        await sign(user, name=f"Private Person{user.id}")
    visitor = queued_user(tg, driver, first_name="Visitor")
    await visitor.send("/language")
    flooder = queued_user(tg, driver, first_name="Flo")
    await asyncio.gather(*(flooder.send(f"spam {i}") for i in range(60)))
    host = queued_user(tg, driver, first_name="Host")
    group = tg.group(title="Diaspora Warsaw")
    await tg.add_bot_to_group(group, by=host)
    await host.send(f"/petition {CAMPAIGN}", chat=group)
    people = [*signers, visitor, flooder, host]
    svc = app.runtime.services
    assert len(svc.memory) > 0  # the journeys did leave per-person state (or this proves nothing)

    clock.advance(FORGET_AFTER + 1)
    # The rate limiter's per-group limiters read the event loop's clock: minutes pass there too.
    monkeypatch.setattr(AsyncLimiter, "has_capacity", lambda self, amount=1: True)
    await jobs.forget(_context(app))
    await asyncio.sleep(0.1)  # the update fetcher takes the marker

    key = svc.settings.signer_key
    forbidden: set[object] = set()
    for user in people:
        fast = signer_id(key, user.id)
        slow = svc.bases.slow(fast)  # computed, not kept
        forbidden |= {user.id, str(user.id), svc.memory.blinder(user.id), fast, slow}
        forbidden.add(svc.ids.person_of(slow))
    forbidden |= {group.id, str(group.id), svc.memory.blinder(group.id)}
    gc.collect()
    roots = [app.runtime, app.bot_data, app.user_data, app.chat_data, app.update_processor]
    roots += [app.handlers, app.job_queue, app.persistence]
    held = [obj for root in roots for obj in _reachable(root) if _is(obj, forbidden)]
    assert held == []
    # Every per-person map the process holds is one of the services' Memory, which the job
    # sweeps: a map made by another Memory would never be swept, and its keys, blinded under
    # another secret, would escape the search above.
    maps = [obj for root in roots for obj in _reachable(root) if isinstance(obj, Expiring)]
    assert len(maps) >= 5 and [len(m) for m in maps if len(m)] == []
    assert len(svc.memory) == 0


def _is(obj: object, forbidden: set[object]) -> bool:
    try:
        return obj in forbidden and not isinstance(obj, bool)
    except TypeError:
        return False


def _context(app: BotApp) -> Any:
    from bot.telegram.context import BotContext

    return BotContext(app)
