""" "This is my name and I did not sign": a reader reports an entry of the public list.

The moderators are told and see it in /review, never who reported it; a double tap reports
once; a reader has a daily limit; reports go when the name is hidden or after a week.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.services import Services
from tests.conftest import Clock
from tests.support.admin import messages_with
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, expire_drafts, sign, without_review

FSI, PDI = "\u2068", "\u2069"
NOTICE = "is theirs and that they did not sign"


def plain(user: FakeUser) -> str:
    return user.last.text.replace(FSI, "").replace(PDI, "")


async def test_a_reader_reports_a_name_and_the_moderators_see_it_without_the_reader(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, tg: FakeTelegram
) -> None:
    moderator = make_user(first_name="Mo")
    svc.settings = replace(svc.settings, moderator_ids=frozenset({moderator.id}))
    await admin.start()
    await moderator.start()
    without_review(svc)
    await sign(make_user(first_name="Forger"), "Olga Sokolova", role="Judge")
    olga = make_user(first_name="Olga", last_name="Real")
    await olga.command("signatories", CAMPAIGN)
    assert f"/notme {CAMPAIGN} and its number" in plain(olga)
    await olga.send(f"/notme {CAMPAIGN} 1")
    confirmation = olga.last
    [data] = [d for d in confirmation.callback_data.values() if d.startswith("1|nme|")]
    assert "Olga Sokolova" in plain(olga) and "never told who" in plain(olga)
    await olga.double_tap("Yes, report it", confirmation)
    assert "Reported." in plain(olga) or "reported this name already" in plain(olga)
    await olga.press_data(data, confirmation)  # a redelivered press: still one report
    assert "You have reported this name already" in plain(olga)
    assert await svc.db.scalar("SELECT COUNT(*) FROM name_reports") == 1
    # Every organiser is told once, by signature number; nothing names the reader.
    for organiser in (admin, moderator):
        [notice] = messages_with(tg, organiser.id, NOTICE)
        assert "#1" in notice["text"] and f"/review {CAMPAIGN}" in notice["text"]
        assert "Real" not in notice["text"] and str(olga.id) not in notice["text"]
    [row] = await svc.db.fetchall("SELECT * FROM name_reports")
    assert str(olga.id) not in repr(row) and svc.person(olga.id) not in row
    # /review shows it first, with a hide button; the name stays listed until then.
    await moderator.command("review", CAMPAIGN)
    assert "Reported by readers" in plain(moderator) and "1 report" in plain(moderator)
    assert "Olga Sokolova" in plain(moderator)
    await moderator.press("🙈 #1")
    await olga.command("signatories", CAMPAIGN)
    assert "Olga Sokolova" not in plain(olga)
    assert await svc.db.scalar("SELECT COUNT(*) FROM name_reports") == 0
    await moderator.command("review", CAMPAIGN)
    assert "Reported by readers" not in plain(moderator)


async def test_a_reader_reports_at_most_three_names_a_day_and_reports_expire(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    without_review(svc)
    for n, name in enumerate(["Anna One", "Boris Two", "Clara Three", "Dmitri Four"]):
        await sign(make_user(first_name=f"S{n}"), name)
    reader = make_user(first_name="Reader")
    for position in (1, 2, 3):
        await reader.send(f"/notme {CAMPAIGN} {position}")
        await reader.press("Yes, report it")
        assert "Reported." in plain(reader)
    await reader.send(f"/notme {CAMPAIGN} 4")
    await reader.press("Yes, report it")
    assert "You can report 3 names a day" in plain(reader)
    assert await svc.db.scalar("SELECT COUNT(*) FROM name_reports") == 3
    # A list that moved since the confirmation records nothing.
    await reader.send(f"/notme {CAMPAIGN} 4")
    stale = reader.last
    [data] = [d for d in stale.callback_data.values() if d.startswith("1|nme|")]
    await svc.db.execute("UPDATE signatures SET name = 'Dmitri Renamed' WHERE name LIKE 'Dmitri%'")
    svc.forget_recent()
    clock.advance(86_401)
    await reader.press_data(data, stale)
    assert "The list changed" in plain(reader)
    await reader.send(f"/notme {CAMPAIGN} 9")
    assert "There is no name 9" in plain(reader)
    # A week later every report is gone.
    clock.advance(7 * 86_400)
    await expire_drafts(svc, clock)
    assert await svc.db.scalar("SELECT COUNT(*) FROM name_reports") == 0
