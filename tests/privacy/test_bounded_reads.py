"""Hostile outsiders cannot stall other people through the public list: every position a
button carries is clamped to the list, pages are read from a nearby start that stays right
when names come and go, a long read never holds up an erasure, and pressing page buttons
costs more of a person's allowance than an ordinary press.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.core.services import Services
from bot.core.workers import Shared
from bot.domain import costs
from bot.telegram.context import BotApp
from bot.telegram.middleware import Gatekeeper
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.harness import Driver, LeanUser
from tests.support.steps import CAMPAIGN, sign, without_review

FSI, PDI = "\u2068", "\u2069"
FAR = 999_999_999
NOTICE = "You are sending messages too fast"


def plain(user: FakeUser) -> str:
    return user.last.text.replace(FSI, "").replace(PDI, "")


def shown(user: FakeUser) -> list[tuple[int, str]]:
    """(position, name) of every name on the reader's page."""
    return [(int(m[1]), m[2]) for m in re.finditer(r"^(\d+)\. (.+)$", plain(user), re.MULTILINE)]


async def add_names(svc: Services, count: int, prefix: str = "Bulk Name") -> None:
    """`count` public names that agreed to the list, written as signing writes them (the
    counter too): thousands in a second, through the bot's own write connection."""
    async with svc.db.transaction() as conn:
        start = int((await (await conn.execute("SELECT COUNT(*) FROM signatures")).fetchone())[0])
        await conn.executemany(
            "INSERT INTO signatures (campaign, signer, name, public, language, signed_at,"
            " list_consent) VALUES (?, ?, ?, 1, 'en', 0, 1)",
            [(CAMPAIGN, f"bulk{start + i}", f"{prefix} {start + i:05d}") for i in range(count)],
        )
        await conn.execute(
            "INSERT INTO counters (campaign, signatures) VALUES (?, ?) ON CONFLICT (campaign)"
            " DO UPDATE SET signatures = signatures + excluded.signatures",
            (CAMPAIGN, count),
        )


async def listed_names(svc: Services) -> list[str]:
    """The list as it should read, straight from the table (the test campaign's rule)."""
    rows = await svc.db.fetchall(
        "SELECT name FROM signatures WHERE campaign = ? AND public = 1 AND list_consent = 1"
        " AND review != 'hidden' ORDER BY number",
        (CAMPAIGN,),
    )
    return [str(r[0]) for r in rows]


def check_page(user: FakeUser, expected: list[str]) -> list[tuple[int, str]]:
    """The page holds consecutive positions, each with the name at that place in the list,
    and says how many are listed."""
    page = shown(user)
    assert page, plain(user)
    first = page[0][0]
    assert [p for p, _ in page] == list(range(first, first + len(page)))
    assert [n for _, n in page] == expected[first - 1 : first - 1 + len(page)]
    assert f"of {len(expected):,}" in plain(user)
    return page


async def test_a_forged_far_page_button_shows_the_last_page(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    without_review(svc)
    await add_names(svc, 120)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    first = plain(reader)
    await reader.press_data(f"1|who|{CAMPAIGN}|{FAR}", reader.last)
    page = shown(reader)
    assert page[-1] == (120, "Bulk Name 00119") and page[0][0] > 1
    assert f"Names {page[0][0]}–120 of 120" in plain(reader)
    labels = list(reader.last.callback_data)
    assert "‹" in labels and "›" not in labels  # the last page: back, never further
    last = plain(reader)
    await reader.press_data(f"1|whob|{CAMPAIGN}|{FAR}", reader.last)
    assert plain(reader) == last
    await reader.press_data(f"1|whob|{CAMPAIGN}|1", reader.last)
    assert plain(reader) == first


async def test_paging_stays_right_while_names_are_withdrawn_hidden_and_added(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """Over 1,300 names, so the list spans several stretches of its page index; a name goes
    from the first stretch, one from the middle, and one is added at the end."""
    without_review(svc)
    early = make_user(first_name="Early")
    await sign(early, "Alina Early")  # number 1: the first name on the list
    await add_names(svc, 1300)
    reader = make_user(first_name="Reader")
    await reader.command("signatories", CAMPAIGN)
    expected = await listed_names(svc)
    check_page(reader, expected)
    await reader.press_data(f"1|who|{CAMPAIGN}|{FAR}", reader.last)
    old_last = reader.last
    assert check_page(reader, expected)[-1] == (1301, "Bulk Name 01300")

    await early.send("/withdraw")
    await early.press("Yes, withdraw")
    await admin.command("hide", "700")
    assert "#700 is hidden" in admin.last.text
    await sign(make_user(first_name="Late"), "Bogdan Late")
    expected = await listed_names(svc)
    assert len(expected) == 1300 and expected[-1] == "Bogdan Late"
    assert "Alina Early" not in expected and "Bulk Name 00699" not in expected

    for position in (0, 1, 255, 256, 511, 650, 698, 1000, 1259):
        await reader.press_data(f"1|who|{CAMPAIGN}|{position}", reader.last)
        assert check_page(reader, expected)[0][0] == position + 1
    # The old last page's buttons, pressed after the list changed under them.
    await reader.press("›" if "›" in old_last.callback_data else "‹", old_last)
    check_page(reader, expected)
    await reader.press_data(f"1|who|{CAMPAIGN}|{FAR}", reader.last)
    assert check_page(reader, expected)[-1] == (1300, "Bogdan Late")


async def test_an_erasure_is_not_held_up_by_a_long_list_read(
    make_user: Callable[..., FakeUser], svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read of a long list reads it in short transactions; a withdrawal made while
    it is half-way is erased at once, and the list the reader then sees leaves it out."""
    without_review(svc)
    signer = make_user(first_name="Wanda")
    await sign(signer, "Wanda Withdrawn")
    await add_names(svc, 12_000)
    reads = 0
    half_way, go_on = asyncio.Event(), asyncio.Event()
    read = svc.db.read

    async def paused_after_the_first(work: Callable[[Any], Any]) -> Any:
        nonlocal reads
        result = await read(work)
        reads += 1
        if reads == 1:  # between two transactions of the long read
            half_way.set()
            await go_on.wait()
        return result

    monkeypatch.setattr(svc.db, "read", paused_after_the_first)
    reader = make_user(first_name="Reader")
    listing: asyncio.Task[Any] = asyncio.create_task(reader.command("signatories", CAMPAIGN))
    await asyncio.wait_for(half_way.wait(), 30)
    await signer.send("/withdraw")
    await signer.press("Yes, withdraw")
    assert "withdrawn and erased" in signer.last.text
    assert "the next clean-up" not in signer.last.text
    go_on.set()
    await listing
    assert reads > 2  # 12,001 names were read in several short transactions, not one
    page = shown(reader)
    assert page[0] == (1, "Bulk Name 00001") and "of 12,000" in plain(reader)
    assert "Wanda" not in plain(reader)


async def test_page_buttons_cost_more_of_the_allowance_than_ordinary_presses(
    running: tuple[BotApp, Driver], tg: FakeTelegram
) -> None:
    """On a still clock: a reader runs out after BURST / LIST_PAGE page presses, while the
    same number of ordinary presses leaves another person most of their allowance."""
    app, driver = running
    await add_names(app.runtime.services, 100)
    svc = app.runtime.services
    still = svc.clock() + 3600  # a still clock, later than any bucket so far: all full
    app.runtime.gatekeeper = Gatekeeper(Shared(svc.db, svc.settings.signer_key, lambda: still))
    reader, steady = LeanUser(tg, driver, "Reader"), LeanUser(tg, driver, "Steady")

    def notices(user: LeanUser) -> int:
        return sum(
            NOTICE in str(c.params.get("text", "")) for c in tg.calls_to("sendMessage", user.id)
        )

    async def presses(user: LeanUser, data: str, times: int) -> list[bool]:
        answered = []
        for _ in range(times):
            await user.press_data(data, user.last_bot_message())
            with tg.lock:
                mine = [q for q in tg.callback_queries.values() if q["user_id"] == user.id]
            answered.append(bool(mine[-1]["answered"]))
        return answered

    allowed = costs.BURST // costs.LIST_PAGE
    await reader.send(f"/signatories {CAMPAIGN}")  # one page: LIST_PAGE of the allowance
    got = await presses(reader, f"1|who|{CAMPAIGN}|{FAR}", allowed)
    assert got == [True] * (allowed - 1) + [False]
    assert notices(reader) == 1
    await steady.send(f"/start {CAMPAIGN}")
    assert await presses(steady, f"1|prog|{CAMPAIGN}", allowed) == [True] * allowed
    assert notices(steady) == 0
    tg.assert_no_violations()
