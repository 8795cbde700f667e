"""The funnel: where supporters drop off, counted without a per-person record."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from types import SimpleNamespace

from bot.core.services import Services
from bot.telegram import jobs
from tests.conftest import Clock
from tests.support.faketg import FakeUser
from tests.support.steps import CAMPAIGN, press_action, sign

SOURCE = "kx7Qm2"


async def _exits(make_user: Callable[..., FakeUser], svc: Services) -> list[FakeUser]:
    """100 visitors: 30 only read, 20 press Sign and leave, 10 cancel, 40 sign (15 of them
    through a named link); some tap twice."""
    await svc.db.execute(
        "INSERT INTO sources (code, kind, label, created_at) VALUES (?, 'named', 'Leaflets', 0)",
        (SOURCE,),
    )
    visitors = []
    for i in range(30):
        u = make_user(first_name=f"Reader{i}")
        await u.start(CAMPAIGN)
        if i % 3 == 0:
            await u.start(CAMPAIGN)  # opened twice within one draft: counted once
        visitors.append(u)
    for i in range(20):
        u = make_user(first_name=f"Starter{i}")
        await u.start(CAMPAIGN)
        if i % 2 == 0:
            await u.double_tap("Sign")  # a double tap on Sign counts once
        else:
            await press_action(u, "sign|")
        visitors.append(u)
    for i in range(10):
        u = make_user(first_name=f"Canceller{i}")
        await u.start(CAMPAIGN)
        await press_action(u, "sign|")
        await u.send(f"Cancel Person{i}")
        await u.send(f"Cancel Personne{i}")  # named again: still one "named"
        await u.send("/cancel")
        visitors.append(u)
    for i in range(40):
        u = make_user(first_name=f"Signer{i}")
        payload = f"{CAMPAIGN}_{SOURCE}" if i < 15 else None
        await sign(u, name=f"Signing Person{i}", payload=payload)
        visitors.append(u)
    return visitors


async def test_a_hundred_visitors_through_every_exit_read_back_exactly(
    make_user: Callable[..., FakeUser], admin: FakeUser, svc: Services, clock: Clock
) -> None:
    visitors = await _exits(make_user, svc)
    clock.advance(svc.settings.draft_ttl_hours * 3600 + 1)
    await jobs.expire_drafts(SimpleNamespace(svc=svc))  # type: ignore[arg-type]

    await admin.send(f"/stats {CAMPAIGN}")
    text = admin.last.text
    assert "100 opened → 70 started → 50 named → 40 signed — 40%" in text
    assert "cancelled 10 · expired 20" in text
    # Leaflets brought 15, but nobody cancelled there: a row with a count under SMALL_COUNT is
    # never shown on its own, so it is inside "other" with the visitors who came without a link.
    assert "Leaflets" not in text
    assert "Other (sources under 10 and visitors without a link)\n100 opened" in text

    await admin.send(f"/export {CAMPAIGN} funnel")
    assert admin.last.document is not None
    data, _ = admin.last.document
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # One row per day and shown source: the visits on the first day, the expiries the next.
    first, second = rows
    assert (first["row"], first["source"], second["row"]) == ("other", "", "other")
    assert [first[k] for k in ("opened", "started", "named", "signed", "cancelled")] == [
        "100", "70", "50", "40", "10"
    ]  # fmt: skip
    assert (first["expired"], second["expired"], second["opened"]) == ("<10", "20", "<10")
    assert second["day_utc"] > first["day_utc"]

    # Nothing per person remains of the 60 who did not sign.
    path = svc.settings.database_path
    raw = path.read_bytes() + path.with_name(path.name + "-wal").read_bytes()
    for u in visitors[:60]:
        assert svc.person(u.id).encode() not in raw
        assert svc.signer(u.id, CAMPAIGN).encode() not in raw
    assert await svc.db.scalar("SELECT COUNT(*) FROM drafts") == 0
