"""Publishing the public site: the command, the swap, PUBLISH_COMMAND and /healthz."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings, load_settings
from bot.domain.bots import Role
from bot.ops import publish as publisher
from bot.storage import bots as bot_store
from bot.storage import signatures as signature_store
from bot.storage.engines import engine_for
from bot.telegram import health, jobs
from bot.telegram.context import BotApp
from tests.conftest import TOKEN, Clock, start_app, stop_app
from tests.support.faketg import FakeTelegram
from tests.support.steps import CAMPAIGN, sign

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def cli_env(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return env


async def _signed(settings: Settings, names: tuple[str, ...]) -> int:
    tg = FakeTelegram()
    app = await start_app(settings, tg, Clock())
    try:
        for i, name in enumerate(names):
            await sign(tg.user(app, first_name=f"S{i}"), name)
        db = app.runtime.services.db
        # Two reserves the bot would record when they start: one active, one dormant.
        for bot, username, role in (
            (7000000002, "real_mirror_bot", Role.ACTIVE),
            (7000000003, "quiet_reserve_bot", Role.DORMANT),
        ):
            await bot_store.seen(db, bot, username, role, 0)
        return await signature_store.count(db, CAMPAIGN)
    finally:
        await stop_app(app)


def test_publish_writes_the_whole_site_and_replaces_it_whole(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(cli_env)
    count = asyncio.run(_signed(settings, ("Ann One", "Bo Two")))
    site = tmp_path / "public"
    assert cli.main(["publish", str(site)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("published 2 campaigns, ") and err == "", (out, err)
    assert json.loads((site / CAMPAIGN / "count.json").read_text())["count"] == count == 2
    page = (site / CAMPAIGN / "index.en.html").read_text()
    # The official bots are the database's: the primary first (its link signs), then the
    # active one; the dormant one nowhere.
    assert page.index("@PetitionTestBot") < page.index("@real_mirror_bot")
    assert "https://t.me/PetitionTestBot?start=medical-access" in page
    assert not [
        p for p in site.rglob("*") if p.is_file() and b"quiet_reserve_bot" in p.read_bytes()
    ]
    assert (site / "index.html").is_file() and (site / CAMPAIGN / "badge.en.svg").is_file()
    # The example campaign lists no name on the web: no page of names, no name in any file.
    assert not list(site.rglob("names.*"))
    assert not [p for p in site.rglob("*") if p.is_file() and b"Ann One" in p.read_bytes()]
    stale = site / "left-over.html"
    stale.write_text("old")
    assert cli.main(["publish", str(site)]) == 0
    assert not stale.exists()  # the previous site went whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public")) == []


def test_a_folder_publish_did_not_make_is_never_replaced(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_signed(load_settings(cli_env), ()))
    theirs = tmp_path / "www"
    theirs.mkdir()
    (theirs / "their-page.html").write_text("keep me")
    assert cli.main(["publish", str(theirs)]) == 1
    _, err = capsys.readouterr()
    assert "was not made by petition-bot publish" in err and err.count("\n") == 1
    assert (theirs / "their-page.html").read_text() == "keep me"


def test_publish_before_any_bot_started_stops_with_one_line(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(cli_env)
    asyncio.run(_migrated_only(settings))
    assert cli.main(["publish", "out"]) == 2
    err = capsys.readouterr().err
    assert "no official bot is recorded in the database" in err and err.count("\n") == 1


async def _migrated_only(settings: Settings) -> None:
    db = engine_for(settings)
    await db.open()
    await db.close()


def test_a_failed_run_leaves_the_previous_site_in_place(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publisher.write_site(site, {".petition-site": b"", "index.html": b"first"})
    with pytest.raises(publisher.PublishError):  # a file where a folder must go
        publisher.write_site(site, {"index.html": b"second", "a": b"x", "a/b.html": b"y"})
    assert (site / "index.html").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing half-written beside it


async def test_the_command_gets_no_secret_and_is_stopped_at_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SIGNER_KEY", "5e" * 32)
    site = tmp_path / "site"
    site.mkdir()
    seen = tmp_path / "env.txt"
    assert await publisher.run_command(f"env > {seen}", site, 10) is None
    env = dict(line.split("=", 1) for line in seen.read_text().splitlines())
    assert env["PUBLISH_DIR"] == str(site)
    assert not {"BOT_TOKEN", "SIGNER_KEY"} & set(env)
    assert TOKEN not in seen.read_text() and "5e" * 32 not in seen.read_text()
    assert await publisher.run_command("exit 3", site, 10) == "exit code 3"
    assert await publisher.run_command("sleep 30", site, 1) == "timed out after 1 s"


async def test_healthz_fails_when_the_site_was_not_published_for_twice_the_interval(
    app: BotApp, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = app.runtime
    svc, metrics = runtime.services, runtime.metrics
    svc.settings = replace(svc.settings, publish_dir=tmp_path / "site", publish_every_minutes=5)
    metrics.publish_since = svc.now()
    assert health.Health._publishing(svc, metrics) == "ok"  # just started
    clock.advance(11 * 60)
    assert health.Health._publishing(svc, metrics) == (
        "failing: the site has not been published yet"
    )
    assert await jobs.run_publish(runtime)
    assert health.Health._publishing(svc, metrics) == "ok"
    svc.settings = replace(svc.settings, publish_command=f"echo {TOKEN}; exit 7")
    with caplog.at_level(logging.WARNING):
        assert not await jobs.run_publish(runtime)
    [line] = [r.getMessage() for r in caplog.records if "publishing" in r.getMessage()]
    assert line == "publishing the site failed: PUBLISH_COMMAND failed: exit code 7"
    clock.advance(11 * 60)
    assert health.Health._publishing(svc, metrics).startswith("failing: the site was last")
    assert (tmp_path / "site" / CAMPAIGN / "count.json").is_file()  # the last good site stays


def test_check_reports_text_a_page_would_drop_and_notes_missing_languages(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    campaigns = Path(cli_env["CAMPAIGNS_DIR"])
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "note: open-doors-letter has no text in uk, pl" in out, out
    text = campaigns / "medical-access" / "en.md"
    text.write_text(text.read_text().replace('title = "', 'title = "\\u0007', 1))
    assert cli.main(["check"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "medical-access/en.md: title: holds characters a web page cannot show (U+0007)" in line


async def test_the_bot_publishes_on_its_schedule_only_with_publish_dir(
    settings: Settings, tmp_path: Path
) -> None:
    for folder in (None, tmp_path / "site"):
        tg = FakeTelegram()
        app = await start_app(
            replace(settings, publish_dir=folder, publish_every_minutes=7), tg, Clock()
        )
        try:
            assert app.job_queue is not None
            jobs_named = app.job_queue.get_jobs_by_name("publish")
            if folder is None:
                assert jobs_named == ()
            else:
                [job] = jobs_named
                assert job.trigger.interval.total_seconds() == 7 * 60  # type: ignore[attr-defined]
        finally:
            await stop_app(app)
