"""Fixtures: the real Applications from build_fleet, wired to the fake Telegram."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram.request import BaseRequest

from bot.config import Settings, load_settings
from bot.core.services import Services
from bot.telegram.app import build_fleet
from bot.telegram.context import BotApp
from bot.telegram.fleet import Fleet
from tests.support import postgres
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.harness import Driver

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "1234567:AAtest-token-for-the-fake-telegram-xyz"


class Clock:
    """A controllable clock for drafts, 24-hour windows and retention."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def campaigns_dir(tmp_path: Path) -> Path:
    target = tmp_path / "campaigns"
    shutil.copytree(ROOT / "campaigns", target)
    return target


# Modules whose tests run on both engines say `pytestmark = BOTH_BACKENDS`: each test that
# opens a database (through `env`) runs on SQLite and on PostgreSQL, the others once.
BOTH_BACKENDS = pytest.mark.both_backends


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_backends") and (
        "backend" in metafunc.fixturenames
    ):
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server | None]:
    """One server per session (per worker), or None where none can start."""
    for server, _ in postgres.session_server():
        yield server


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The engine under test: SQLite unless the module runs on both (BOTH_BACKENDS)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh migrated PostgreSQL database for this test, or None on SQLite."""
    if backend != "postgres":
        return None
    server: postgres.Server | None = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip(f"no PostgreSQL server: {postgres.unavailable() or 'it did not start'}")
    return server.new_database()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The one line `make test` prints when the PostgreSQL tests could not run."""
    if reason := postgres.unavailable():
        terminalreporter.write_line(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture
def env(tmp_path: Path, campaigns_dir: Path, database_url: str | None) -> dict[str, str]:
    values = {
        "BOT_TOKEN": TOKEN,
        "ADMIN_IDS": "",
        "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
        "CAMPAIGNS_DIR": str(campaigns_dir),
        "SIGNER_KEY": "5e" * 32,
        "BOT_API_BASE_URL": "http://fake.invalid/bot",
        "PSEUDONYM_COST": "insecure-test-only",
    }
    if database_url:
        values["DATABASE_URL"] = database_url
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The real `main()` configures the root logger; later tests must not inherit it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {n: logging.getLogger(n).level for n in ("telegram", "httpx", "aiosqlite", "bot")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


@pytest.fixture
def tg() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def start_fleet(
    settings: Settings, request: BaseRequest, clock: Clock | None = None
) -> Fleet:
    """Builds and opens the process as `petition-bot run` does, minus taking updates: the
    tests feed them (each bot's Application, `fleet.apps`, in BOT_TOKENS order)."""
    fleet = build_fleet(settings, request=request)
    if clock is not None:
        fleet.services.clock = clock
    await fleet.open()
    return fleet


async def start_app(settings: Settings, tg: FakeTelegram, clock: Clock | None = None) -> BotApp:
    """The one bot of a process built and opened as in production, minus the polling."""
    fleet = await start_fleet(settings, tg.request(), clock)
    return fleet.apps[0]


async def stop_app(app: BotApp) -> None:
    await app.runtime.fleet.close()


@pytest.fixture
async def app(settings: Settings, tg: FakeTelegram, clock: Clock) -> AsyncIterator[BotApp]:
    application = await start_app(settings, tg, clock)
    yield application
    await stop_app(application)
    tg.assert_no_violations()


@pytest.fixture
def svc(app: BotApp) -> Services:
    services: Services = app.runtime.services
    return services


@pytest.fixture
def make_user(tg: FakeTelegram, app: BotApp) -> Callable[..., FakeUser]:
    def factory(**kwargs: Any) -> FakeUser:
        return tg.user(app, **kwargs)

    return factory


@pytest.fixture
async def running(
    settings: Settings, tg: FakeTelegram, clock: Clock
) -> AsyncIterator[tuple[BotApp, Driver]]:
    """The app started as in production: updates go through its queue and update processor."""
    app = await start_app(settings, tg, clock)
    driver = Driver(app)
    await app.start()
    yield app, driver
    await app.stop()
    await stop_app(app)


@pytest.fixture
def admin(tg: FakeTelegram, app: BotApp, svc: Services) -> FakeUser:
    user = tg.user(app, first_name="Ada", language_code="en")
    svc.settings = replace(svc.settings, admin_ids=frozenset({user.id}))
    return user
