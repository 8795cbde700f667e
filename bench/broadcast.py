"""Broadcast: N opted-in signers at the configured rate, with a crash half-way.

The runner is `bot.telegram.broadcast` (admin feature). BROADCAST_RATE is capped at 30/s in settings
(Telegram's limit), which would take an hour for 100,000 people, so the benchmark sets the
rate directly on Settings (printed below). The "kill" cancels the sending task at an arbitrary
await and abandons the app without its shutdown hooks, like SIGKILL; a new app on the same
database file resumes, and the fake's record shows who got the message how many times.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bench.signing import CAMPAIGN, bench_settings
from bot.storage import broadcasts as broadcast_store
from bot.telegram.app import build_fleet
from bot.telegram.context import BotApp
from tests.support.faketg import FakeTelegram


async def _app(fake: FakeTelegram, settings: object) -> BotApp:
    fleet = build_fleet(settings, request=fake.request(), rate_limit=False)  # type: ignore[arg-type]
    await fleet.open()  # resumes unfinished broadcasts
    return fleet.apps[0]


async def bench(recipients: int, rate: float = 1000.0) -> dict[str, float]:
    fake = FakeTelegram()
    chats = [fake.new_user(f"S{i}")["id"] for i in range(recipients)]
    for cid in chats:
        fake.chats[cid].started = True
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(bench_settings(Path(tmp)), broadcast_rate=rate)
        app = await _app(fake, settings)
        svc = app.runtime.services
        async with svc.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO subscriptions (campaign, signer, chat, active) VALUES (?, ?, ?, 1)",
                [(CAMPAIGN, f"s{cid}", svc.ids.seal_chat(cid)) for cid in chats],
            )
        bid = await broadcast_store.draft_for(svc.db, CAMPAIGN, 1, 0)
        await broadcast_store.set_draft_text(svc.db, bid, "en", "<b>News</b> for you", default=True)
        queued = await broadcast_store.start(svc.db, bid)
        before = len(fake.calls)
        started = time.perf_counter()
        app.runtime.broadcaster.start(bid)

        seen, count = before, 0

        def sent() -> int:
            """Incremental count of delivered messages (the fake's record only grows)."""
            nonlocal seen, count
            calls = fake.calls
            count += sum(1 for c in calls[seen:] if c.method == "sendMessage" and c.ok)
            seen = len(calls)
            return count

        while sent() < recipients // 2:  # noqa: ASYNC110 - polling the fake's record
            await asyncio.sleep(0.02)
        first_half = time.perf_counter() - started
        first_sent = sent()
        for task in list(app.runtime.broadcaster._tasks.values()):
            task.cancel()  # the "kill": mid-send, no stop(), no shutdown hooks
        await asyncio.sleep(0)
        await svc.db.close()

        restarted = time.perf_counter()
        app2 = await _app(fake, settings)
        await app2.runtime.broadcaster.join()
        second_half = time.perf_counter() - restarted
        final = await broadcast_store.get(app2.runtime.services.db, bid)
        await app2.runtime.fleet.close()
    got = Counter(c.chat_id for c in fake.calls[before:] if c.method == "sendMessage" and c.ok)
    twice = sum(1 for n in got.values() if n > 1)
    missed = sum(1 for cid in chats if got[cid] == 0)
    achieved = first_sent / first_half
    resumed = (sum(got.values()) - first_sent) / second_half
    print(f"\n== Broadcast: {recipients:,} opted-in signers, rate set to {rate:,.0f}/s ==")
    print(f"   queued                  {queued:10,}")
    print(
        f"   achieved rate, 1st half {achieved:10,.0f} /s   ({achieved / rate:.0%} of the "
        "setting; target >= 95%)"
    )
    print(f"   achieved rate, resumed  {resumed:10,.0f} /s   ({resumed / rate:.0%})")
    print(f"   received twice          {twice:10,}   target 0 (after a kill half-way)")
    print(f"   missed                  {missed:10,}   target 0")
    status = final.status if final else "?"
    print(f"   broadcast status        {status:>10}   sent {final.sent if final else '?':,}")
    return {"rate_fraction": achieved / rate, "twice": twice, "missed": missed}


if __name__ == "__main__":
    asyncio.run(bench(5_000))
