"""Goals: one ladder rule for campaign.toml and /goal, and what reaching a goal does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html import escape
from pathlib import Path

import pytest

from bot.core.content import ContentError, load_campaigns
from bot.core.services import Services
from bot.domain.goals import (
    DEFAULT_LADDER,
    GoalLadder,
    GoalMeaning,
    LadderError,
    goal_in_force,
    override_allowed,
)
from bot.telegram.context import BotApp
from bot.telegram.views import broadcast as broadcast_views
from bot.telegram.views.admin import parse_ladder
from tests.support.admin import messages_with
from tests.support.faketg import FakeTelegram
from tests.support.faketg.user import FakeUser
from tests.support.steps import CAMPAIGN, sign

LETTER = "open-doors-letter"

# -- the ladder ------------------------------------------------------------------------------


def test_next_and_reached_walk_the_same_steps_and_grow_by_half_past_them() -> None:
    ladder = GoalLadder((100, 500))
    assert [ladder.next_above(c) for c in (0, 99, 100, 499, 500)] == [100, 100, 500, 500, 750]
    # 750 × 1.5 = 1,125 → 1,200 (two significant digits, rounded up); then 1,800, 2,700
    assert [ladder.next_above(c) for c in (750, 1_199, 1_200, 1_800)] == [
        1_200,
        1_200,
        1_800,
        2_700,
    ]
    assert ladder.reached(99) is None
    assert [ladder.reached(c) for c in (100, 499, 500, 749, 750, 1_200, 2_699)] == [
        100, 100, 500, 500, 750, 1_200, 1_800,
    ]  # fmt: skip
    for count in range(0, 20_000, 37):  # one climb: a step reached is never the next goal
        goal = ladder.next_above(count)
        assert ladder.reached(goal) == goal and (ladder.reached(count) or 0) < goal
    assert DEFAULT_LADDER.next_above(1_000_000) == 1_500_000
    assert DEFAULT_LADDER.next_above(1_500_000) == 2_300_000  # 2,250,000 rounded up


def test_a_ladder_ending_low_still_climbs() -> None:
    """1 × 1.5 rounds back to 1: the continuation must still move on, not loop forever."""
    ladder = GoalLadder((1,))
    assert [ladder.next_above(c) for c in range(6)] == [1, 2, 3, 4, 6, 6]
    assert ladder.reached(5) == 4
    assert GoalLadder((1,)).next_above(10**12) > 10**12


def test_an_admins_next_goal_wins_while_above_the_count() -> None:
    ladder = GoalLadder((100, 500)).with_override(400)
    assert ladder.next_above(50) == 400  # above the count: wins over the nearer step
    assert ladder.next_above(400) == 500  # reached: the ladder takes over again
    assert ladder.reached(450) == 100
    assert ladder.with_override(None).next_above(50) == 100


def test_the_goal_in_force() -> None:
    file = GoalLadder((500, 1_000))
    assert goal_in_force(file, None, None, 10).goal == 500
    admin = goal_in_force(file, (10, 20), None, 10)
    assert (admin.goal, admin.ladder.steps, admin.admin_ladder) == (20, (10, 20), True)
    assert goal_in_force(file, (10, 20), 900, 10).goal == 900
    assert goal_in_force(file, None, 5, 10).goal == 500  # an override passed by is ignored
    broken = goal_in_force(file, (20, 10), None, 10)  # stored under other rules: the file's
    assert (broken.goal, broken.admin_ladder) == (500, False)
    assert override_allowed(11, 10) and not override_allowed(10, 10)
    assert not override_allowed(1_000_000_001, 10)


BAD_LADDERS = [
    ((), "at least one step"),
    ((0, 10), "positive whole numbers"),
    ((100, 50), "strictly increasing"),
    ((100, 100), "strictly increasing"),
    ((5, 2_000_000_000), "at most 1,000,000,000"),
    (tuple(range(1, 52)), "at most 50 steps"),
]


@pytest.mark.parametrize(("steps", "reason"), BAD_LADDERS)
def test_campaign_file_and_admin_ladders_break_the_same_rule(
    tmp_path: Path, steps: tuple[int, ...], reason: str
) -> None:
    with pytest.raises(LadderError, match=reason):
        GoalLadder(steps)
    typed = ", ".join(map(str, steps))
    assert parse_ladder(typed) is None
    if steps:
        with pytest.raises(LadderError, match=reason):
            GoalLadder.parse(typed)
        folder = tmp_path / "c"
        _write(folder, goals=f"goals = [{typed}]\n")
        with pytest.raises(ContentError) as info:
            load_campaigns(tmp_path)
        assert (info.value.path.name, info.value.field) == ("campaign.toml", "goals")
        assert reason in info.value.problem


@pytest.mark.parametrize("typed", ["10,,20", "ten", "²", "1.5", "-5, 10", "1" * 40])
def test_typed_ladders_that_are_not_numbers(typed: str) -> None:
    assert parse_ladder(typed) is None
    with pytest.raises(LadderError):
        GoalLadder.parse(typed)


def test_typed_ladder_allows_spaces_and_underscores() -> None:
    ladder = parse_ladder(" 100, 500,1_000 ")
    assert ladder is not None and ladder.steps == (100, 500, 1_000)


def test_meaning_falls_back_to_the_default_language_only() -> None:
    meaning = GoalMeaning((("en", "English"), ("ru", "Русский")), "en")
    assert meaning.in_language("ru") == "Русский"
    assert meaning.in_language("pl") == "English"
    assert GoalMeaning((("ru", "Русский"),), "en").in_language("pl") == ""


# -- goal sentences in the campaign files ----------------------------------------------------

META = 'slug = "ok"\nkind = "petition"\nstatus = "open"\ndefault_language = "en"\n'
HEAD = 'title = "T"\nsummary = "S"\n'


def _write(folder: Path, header: str = HEAD, goals: str = "goals = [100, 500]\n") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.toml").write_text(META + goals, encoding="utf-8")
    (folder / "en.md").write_text(f"+++\n{header}+++\nA paragraph.\n\nAnother.\n", "utf-8")


def test_goal_sentences_load(tmp_path: Path) -> None:
    header = HEAD + '[goals]\n1_00 = "At a hundred   we write\\nto them."\n500 = "At 500."\n'
    _write(tmp_path / "c", header)
    [campaign] = load_campaigns(tmp_path).all()
    assert campaign.texts["en"].goal_sentences == {
        100: "At a hundred we write to them.",
        500: "At 500.",
    }
    assert campaign.goal_meaning(500).in_language("de") == "At 500."
    assert campaign.goal_meaning(750).in_language("en") == ""


@pytest.mark.parametrize(
    ("header", "field", "problem"),
    [
        (HEAD + '[goals]\n250 = "x"\n', "goals.250", "not one of the campaign's goals (100, 500)"),
        (HEAD + '[goals]\nhundred = "x"\n', "goals.hundred", "goal amount"),
        (HEAD + '[goals]\n100 = "  "\n', "goals.100", "1-200 characters"),
        (HEAD + "[goals]\n100 = 5\n", "goals.100", "1-200 characters"),
        (HEAD + f'[goals]\n100 = "{"x" * 201}"\n', "goals.100", "1-200 characters"),
        (HEAD + '[goals]\n100 = "a"\n1_00 = "b"\n', "goals.1_00", "given twice"),
        (HEAD + 'goals = "at 100 we write"\n', "goals", "must be a table"),
        ('[goals]\n100 = "a"\n' + HEAD, "goals", "must come last in the header"),
    ],
)
def test_bad_goal_sentences_name_file_and_field(
    tmp_path: Path, header: str, field: str, problem: str
) -> None:
    _write(tmp_path / "c", header)
    with pytest.raises(ContentError) as info:
        load_campaigns(tmp_path)
    assert (info.value.path.name, info.value.field) == ("en.md", field)
    assert problem in info.value.problem
    assert str(info.value).startswith(str(tmp_path / "c" / "en.md"))


def test_a_campaign_without_goals_describes_the_default_ladder(tmp_path: Path) -> None:
    _write(tmp_path / "c", HEAD + '[goals]\n10000 = "A response."\n', goals="")
    [campaign] = load_campaigns(tmp_path).all()
    assert campaign.ladder is DEFAULT_LADDER
    assert campaign.goal_meaning(10_000).in_language("en") == "A response."


# -- through the bot -------------------------------------------------------------------------


async def _set_count(svc: Services, count: int, campaign: str = CAMPAIGN) -> None:
    """A campaign that got to `count` signatures, announcing every goal on its way."""
    await svc.db.execute(
        "INSERT INTO counters (campaign, signatures, last_milestone) VALUES (?, ?, ?)"
        " ON CONFLICT (campaign) DO UPDATE SET signatures = excluded.signatures,"
        " last_milestone = excluded.last_milestone",
        (campaign, count, count),
    )


def _sentence(svc: Services, language: str, goal: int, campaign: str = CAMPAIGN) -> str:
    found = svc.campaign(campaign)
    assert found is not None
    return found.texts[language].goal_sentences[goal]


@pytest.mark.parametrize("language", ["en", "ru", "be", "uk", "pl"])
async def test_the_next_goals_sentence_shows_in_the_readers_language(
    make_user: Callable[..., FakeUser], svc: Services, language: str
) -> None:
    await _set_count(svc, 13_154)
    sentence = _sentence(svc, language, 15_000)
    reader = make_user(language_code=language)
    [card] = await reader.start(CAMPAIGN)
    assert sentence in card.text
    assert f"🎯 <i>{escape(sentence, quote=False)}</i>" in card.html
    others = [_sentence(svc, other, 15_000) for other in ("en", "ru") if other != language]
    assert not any(other in card.text for other in others)
    [progress] = await reader.send("/progress")
    assert sentence in progress.text
    assert progress.text.index(sentence) > progress.text.index("%")  # under the bar


async def test_no_sentence_for_a_goal_without_one(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await _set_count(svc, 3_000)  # next goal 5,000: no text says what it does
    [card] = await make_user().start(CAMPAIGN)
    assert "next goal 5,000" in card.text and "🎯" not in card.text


async def test_a_reader_without_their_language_reads_the_default_languages_sentence(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """The letter has no Polish text: the card and its goal sentence are both in English."""
    await _set_count(svc, 600, LETTER)
    [card] = await make_user(language_code="pl").start(LETTER)
    assert "1000" in card.text.replace("\xa0", "").replace(" ", "")  # next goal 1 000
    assert _sentence(svc, "en", 1_000, LETTER) in card.text


async def test_an_admins_next_goal_has_no_sentence(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await _set_count(svc, 13_154)
    await admin.send(f"/goal {CAMPAIGN}")
    assert _sentence(svc, "en", 15_000) in admin.last.text  # the admin sees it too
    await admin.send(f"/goal {CAMPAIGN} next 123456")
    assert "Next goal: 123,456" in admin.last.text and "🎯" not in admin.last.text
    progress, *_ = await make_user().send("/progress")
    assert "next goal 123,456" in progress.text
    assert "🎯" not in progress.text and _sentence(svc, "en", 15_000) not in progress.text


async def test_the_milestone_notice_says_what_reaching_the_goal_does(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    group = tg.group(title="Announcements")
    await tg.add_bot_to_group(group, admin)
    svc.settings = replace(svc.settings, announce_chat_id=group.id)
    await _set_count(svc, 14_997)
    english = make_user(first_name="Eng")
    await sign(english, "English Speaker", notify=True)
    belarusian = make_user(first_name="Бел", language_code="be")
    await sign(belarusian, "Беларускі Чытач", notify=True)
    await sign(make_user(first_name="Quiet"), "Quiet Person")  # the 15,000th signature
    await app.runtime.broadcaster.join()
    [to_english] = messages_with(tg, english.id, "🎉")
    assert "has reached 15,000 signatures! Next goal: 25,000." in to_english["text"]
    assert f"✅ <i>{escape(_sentence(svc, 'en', 15_000), quote=False)}</i>" in to_english["text"]
    assert "🎯" not in to_english["text"]  # 25,000 has no sentence
    [to_belarusian] = messages_with(tg, belarusian.id, "🎉")
    assert _sentence(svc, "be", 15_000) in to_belarusian["text"]
    [announced] = messages_with(tg, group.id, "🎉")
    assert _sentence(svc, "en", 15_000) in announced["text"]


async def test_the_milestone_notice_names_the_next_goals_meaning_too(svc: Services) -> None:
    campaign = svc.campaign(LETTER)
    assert campaign is not None
    texts = broadcast_views.milestone_texts(svc.i18n, campaign, 500, 1_000)
    assert "✅" not in texts["en"]  # 500 has no sentence
    assert f"🎯 <i>{escape(_sentence(svc, 'en', 1_000, LETTER), quote=False)}</i>" in texts["en"]
    assert _sentence(svc, "ru", 1_000, LETTER) in texts["ru"]
    assert _sentence(svc, "en", 1_000, LETTER) in texts["pl"]  # no Polish letter


async def test_a_milestone_is_announced_in_the_announcement_groups_language(
    app: BotApp, make_user: Callable[..., FakeUser], tg: FakeTelegram, svc: Services
) -> None:
    group = tg.group(title="Ogłoszenia")
    owner = make_user(first_name="Owner")
    await tg.add_bot_to_group(group, owner)
    group.set_status(owner, "administrator")
    await owner.send("/language pl", chat=group)
    svc.settings = replace(svc.settings, announce_chat_id=group.id)
    await _set_count(svc, 14_999)
    await sign(make_user(first_name="Eng"), "English Speaker")  # the 15,000th signature
    await app.runtime.broadcaster.join()
    [announced] = messages_with(tg, group.id, "🎉")
    assert _sentence(svc, "pl", 15_000) in announced["text"]


async def test_an_admins_next_goal_is_announced_when_reached(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    group = tg.group(title="Announcements")
    await tg.add_bot_to_group(group, admin)
    svc.settings = replace(svc.settings, announce_chat_id=group.id)
    await _set_count(svc, 13_154)
    await admin.send(f"/goal {CAMPAIGN} next 13156")
    follower = make_user(first_name="Follower")
    await sign(follower, "Follower Person", notify=True)  # 13,155: not yet
    assert not messages_with(tg, group.id, "🎉")
    await sign(make_user(first_name="Last"), "Last Person")  # 13,156: the admin's goal
    await app.runtime.broadcaster.join()
    [announced] = messages_with(tg, group.id, "🎉")
    assert "has reached 13,156 signatures! Next goal: 15,000." in announced["text"]
    [told] = messages_with(tg, follower.id, "🎉")
    assert "13,156" in told["text"]
    progress, *_ = await make_user().send("/progress")
    assert "next goal 15,000" in progress.text
