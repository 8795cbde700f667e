"""Every path that deletes or overwrites personal data leaves no old copy in any database file.

Each path of bot.core.erasure is driven through the real Application (the fake Telegram), then
the bytes of the .sqlite3, -wal and -shm files are searched for the old value: a distinctive
name, role or organisation, a pseudonym, or a raw Telegram id (as text and as SQLite stores an
integer). A supporter's paths run with automatic clean-up on and off.
"""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from bot.core.retention import apply_retention
from bot.core.services import Services
from bot.telegram.context import BotApp
from tests.conftest import BOTH_BACKENDS, Clock
from tests.support.admin import confirmed_broadcast
from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, close_campaign, expire_drafts, press_action, sign

pytestmark = BOTH_BACKENDS

LETTER = "open-doors-letter"
NAME, ROLE, ORG = "Zelda Quixwell", "Vexed Quarrier", "Xylo Union"
DAY = 86_400


def _files(svc: Services) -> bytes:
    """Every byte SQLite keeps for this database: the file, its journal and shared memory.

    On PostgreSQL, every live row of every table as text: what the bot can erase there (its
    data files and WAL keep deleted rows until overwritten: README, threat model).
    """
    if svc.settings.database_url:
        with psycopg.connect(svc.settings.database_url) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            ).fetchall()
            return "\n".join(
                str(row[0])
                for (table,) in tables
                for row in conn.execute(f"SELECT t::text FROM {table} t").fetchall()
            ).encode()
    path = Path(svc.settings.database_path)
    names = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    return b"".join(name.read_bytes() for name in names if name.exists())


def _journal(svc: Services) -> int:
    """Bytes in the write-ahead log: 0 once it was purged and nothing was written since."""
    wal = Path(f"{svc.settings.database_path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _raw(value: int) -> list[bytes]:
    """An integer as text, and as an SQLite record holds it (big-endian, in the fewest of
    1, 2, 3, 4, 6 or 8 bytes)."""
    size = next(n for n in (1, 2, 3, 4, 6, 8) if -(2 ** (8 * n - 1)) <= value < 2 ** (8 * n - 1))
    return [str(value).encode(), value.to_bytes(size, "big", signed=True)]


def _left(svc: Services, old: list[bytes]) -> list[bytes]:
    raw = _files(svc)
    return [value for value in old if value in raw]


async def _press_anywhere(user: FakeUser, prefix: str) -> None:
    """Press the button `1|prefix…` on the newest message that has one."""
    for message in reversed(user.messages):
        for data in message.callback_data.values():
            if data.startswith(f"1|{prefix}"):
                await user.press_data(data, message)
                return
    raise AssertionError(f"no {prefix!r} button")


async def _edit(user: FakeUser, typed: str | None, public: bool = True) -> None:
    """/mysignature → Edit → the new lines (None: keep the name) → save."""
    await user.send("/mysignature")
    await press_action(user, f"edit|{CAMPAIGN}")
    if typed is None:
        await press_action(user, f"pname|{CAMPAIGN}")
    else:
        await user.send(typed)
    await press_action(user, f"ok|{CAMPAIGN}|{int(public)}")


# -- a supporter's paths ---------------------------------------------------------------------


def _signer(svc: Services, u: FakeUser) -> list[bytes]:
    return [svc.signer(u.id, CAMPAIGN).encode()]


def _person(svc: Services, u: FakeUser) -> list[bytes]:
    return [svc.person(u.id).encode()]


# Each path: what it does to a signer of CAMPAIGN with updates on, and the old values that
# must be gone afterwards.


async def _withdraw(u: FakeUser, svc: Services) -> list[bytes]:
    await u.send("/withdraw")
    await u.press("Yes, withdraw")
    return [NAME.encode(), ROLE.encode(), ORG.encode(), *_raw(u.id), *_signer(svc, u)]


async def _edit_name(u: FakeUser, svc: Services) -> list[bytes]:
    await _edit(u, "Newname Yorick")
    assert await svc.db.scalar("SELECT name FROM signatures") == "Newname Yorick"
    return [NAME.encode()]


async def _edit_role(u: FakeUser, svc: Services) -> list[bytes]:
    await _edit(u, f"{NAME}\nNew Role Title\n{ORG}")
    assert await svc.db.scalar("SELECT role FROM signatures") == "New Role Title"
    return [ROLE.encode()]


async def _edit_organisation(u: FakeUser, svc: Services) -> list[bytes]:
    await _edit(u, f"{NAME}\n{ROLE}\nNew Org Name")
    assert await svc.db.scalar("SELECT organisation FROM signatures") == "New Org Name"
    return [ORG.encode()]


async def _edit_visibility(u: FakeUser, svc: Services) -> list[bytes]:
    await _edit(u, None, public=False)
    assert await svc.db.scalar("SELECT public FROM signatures") == 0
    assert _journal(svc) == 0  # no page of the row as it was (public) is left
    return []


async def _stop_updates(u: FakeUser, svc: Services) -> list[bytes]:
    await _press_anywhere(u, f"notify|{CAMPAIGN}|0")
    assert await svc.db.scalar("SELECT COUNT(*) FROM subscriptions") == 0
    return _raw(u.id)


async def _stop(u: FakeUser, svc: Services) -> list[bytes]:
    """/stop stops updates only: the raw id goes; choices and the trail stay, on purpose."""
    await u.send("/stop")
    return _raw(u.id)


async def _blocked_the_bot(u: FakeUser, svc: Services) -> list[bytes]:
    await u.block_bot()
    return [*_raw(u.id), *_person(svc, u)]


async def _cancel(u: FakeUser, svc: Services) -> list[bytes]:
    await u.start(LETTER)
    await u.press("Sign")
    await u.send("Cancelled Typedname")
    await u.send("/cancel")
    return [b"Cancelled Typedname"]


async def _leave_no_trace(u: FakeUser, svc: Services) -> list[bytes]:
    await u.send("/privacy")
    await u.press("Leave no trace in this chat")
    assert await svc.db.scalar("SELECT COUNT(*) FROM trail") == 0
    assert _journal(svc) == 0  # where the conversation began: no old copy either
    return []


SUPPORTER_PATHS: dict[str, Callable[[FakeUser, Services], Awaitable[list[bytes]]]] = {
    "withdraw": _withdraw,
    "edit name": _edit_name,
    "edit role": _edit_role,
    "edit organisation": _edit_organisation,
    "edit visibility": _edit_visibility,
    "stop updates": _stop_updates,
    "/stop": _stop,
    "blocked the bot": _blocked_the_bot,
    "cancel": _cancel,
    "leave no trace": _leave_no_trace,
}


@pytest.mark.parametrize("auto", [False, True], ids=["clean-up by hand", "automatic clean-up"])
@pytest.mark.parametrize("path", SUPPORTER_PATHS)
async def test_a_supporter_erasure_leaves_no_old_value_in_any_file(
    make_user: Callable[..., FakeUser], svc: Services, path: str, auto: bool
) -> None:
    u = make_user(first_name="Zelda")
    await sign(u, NAME, ROLE, ORG, notify=True)
    if auto:
        await u.send("/privacy")
        await u.press("Automatic clean-up after signing: off")
        assert "Automatic clean-up after signing: on" in str(u.last.buttons)
    old = await SUPPORTER_PATHS[path](u, svc)
    assert _left(svc, old) == []


async def test_an_edit_with_automatic_clean_up_leaves_no_old_name_in_the_journal(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Auto Old Spelling")
    await u.press("Sign with my name")
    await u.send("/mysignature")
    await press_action(u, f"edit|{CAMPAIGN}")
    await u.send("Auto New Spelling")
    await u.press("Save, show my name")
    rows = await svc.db.fetchall("SELECT name FROM signatures")
    assert rows == [("Auto New Spelling",)]
    assert b"Auto Old Spelling" not in _files(svc)


async def test_a_name_retyped_before_signing_leaves_no_first_spelling(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    """Changed at the preview, a second name replaces the first in the draft: the first must
    not wait in the journal for the periodic clean-up."""
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Firsttyped Realname")
    await u.press("Change name")
    await u.send("Secondtyped Alias")
    await u.press("Sign with my name")
    assert await svc.db.fetchall("SELECT name FROM signatures") == [("Secondtyped Alias",)]
    assert b"Firsttyped Realname" not in _files(svc)


# -- the jobs', the organisers' and Telegram's paths ----------------------------------------


async def test_draft_expiry_leaves_no_typed_name(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Sign")
    await u.send("Expiring Typedname")
    await expire_drafts(svc, clock)
    assert _left(svc, [b"Expiring Typedname", svc.person(u.id).encode()]) == []


async def test_trail_expiry_leaves_no_trace_of_a_reader(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await u.send("/privacy")  # a conversation, and nothing else
    assert await svc.db.scalar("SELECT COUNT(*) FROM trail") == 1
    await expire_drafts(svc, clock)
    assert _left(svc, [svc.person(u.id).encode()]) == []


async def test_a_visitor_who_chose_leaves_no_preference_and_nothing_after_the_draft(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    """A visitor's choices live on their draft row: no `preferences` row, retention off, and
    once the draft's lifetime has passed nothing under their pseudonym is left."""
    u = make_user()
    await u.send("/language")
    await u.press("Polski")
    await u.send("/privacy")
    await u.press("Automatyczne czyszczenie po podpisaniu: wyłączone")  # switches it on
    assert await svc.db.fetchall("SELECT * FROM preferences") == []
    assert await svc.db.fetchall("SELECT language, auto_clean FROM drafts") == [("pl", 1)]
    [menu] = await u.send("/language")
    assert "Wybierz język" in menu.text  # the choice is still in force while the draft lives
    assert svc.settings.retention_days is None
    await expire_drafts(svc, clock)
    assert _left(svc, [svc.person(u.id).encode()]) == []
    [menu] = await u.send("/language")
    assert "Choose your language" in menu.text  # back to Telegram's language


async def test_a_visitor_who_signs_keeps_their_choices(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await u.send("/language")
    await u.press("Polski")
    await u.send("/privacy")
    await u.press("Automatyczne czyszczenie po podpisaniu: wyłączone")
    await u.start(CAMPAIGN)
    await press_action(u, "sign|")
    await u.send("Vera Visitor")
    await press_action(u, f"ok|{CAMPAIGN}|1")
    assert "Usunąłem z tego czatu" in u.last.text  # the clean-up she chose ran after signing
    assert await svc.db.fetchall("SELECT language, auto_clean FROM preferences") == [("pl", 1)]
    assert await svc.db.fetchall("SELECT * FROM drafts") == []
    await expire_drafts(svc, clock)
    [menu] = await u.send("/language")
    assert "Wybierz język" in menu.text


async def _signer_who_chose_a_language(u: FakeUser, svc: Services, clock: Clock) -> bytes:
    """A signer chooses Polish; a day later their conversation's trail has expired, and only
    the preference (under their per-person pseudonym, returned) is left of it."""
    await sign(u, "Pola Preference")
    await u.send("/language")
    await u.press("Polski")
    await expire_drafts(svc, clock)
    person = svc.person(u.id).encode()
    assert _left(svc, [person]) == [person]
    return person


async def test_preference_expiry_leaves_no_trace_of_a_signer_s_choice(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    person = await _signer_who_chose_a_language(make_user(), svc, clock)
    svc.settings = replace(svc.settings, retention_days=30)
    clock.advance(31 * DAY)
    await apply_retention(svc)
    assert _left(svc, [person]) == []


async def test_preferences_expire_after_preferences_days_with_retention_off(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    person = await _signer_who_chose_a_language(make_user(), svc, clock)
    assert svc.settings.retention_days is None and svc.settings.preferences_days == 90
    clock.advance(88 * DAY)
    await apply_retention(svc)
    assert _left(svc, [person]) == [person]  # not yet
    clock.advance(2 * DAY)
    await apply_retention(svc)
    assert _left(svc, [person]) == []


async def test_switching_automatic_clean_up_off_leaves_no_preference(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u, polyglot, visitor = make_user(), make_user(), make_user()
    await sign(u, "Una Signer")
    await u.send("/privacy")
    await u.press("Automatic clean-up after signing: off")  # switches it on
    await u.press("Automatic clean-up after signing: on")  # and off again
    assert "Automatic clean-up after signing: off" in str(u.last.buttons)
    assert await svc.db.fetchall("SELECT * FROM preferences") == []  # as if never switched on
    await sign(polyglot, "Poly Glot")
    await polyglot.send("/language")
    await polyglot.press("Polski")
    await polyglot.send("/privacy")
    await polyglot.press("Automatyczne czyszczenie po podpisaniu: wyłączone")
    await polyglot.press("Automatyczne czyszczenie po podpisaniu: włączone")
    rows = await svc.db.fetchall("SELECT language, auto_clean FROM preferences")
    assert rows == [("pl", 0)]  # the language stays, the choice is off
    await visitor.send("/privacy")
    await visitor.press("Automatic clean-up after signing: off")
    await visitor.press("Automatic clean-up after signing: on")
    assert await svc.db.fetchall("SELECT * FROM drafts") == []  # a visitor's row goes too


async def test_retention_anonymisation_leaves_no_name_pseudonym_or_id(
    make_user: Callable[..., FakeUser], svc: Services, clock: Clock
) -> None:
    u = make_user()
    await sign(u, NAME, ROLE, ORG, campaign=LETTER, notify=True)
    close_campaign(svc, LETTER, clock)
    svc.settings = replace(svc.settings, retention_days=30)
    clock.advance(31 * DAY)
    await apply_retention(svc)
    old = [NAME.encode(), ROLE.encode(), ORG.encode(), svc.signer(u.id, LETTER).encode()]
    assert _left(svc, [*old, *_raw(u.id)]) == []


@pytest.mark.parametrize("block", [False, True], ids=["/remove", "/block"])
async def test_an_organiser_removal_leaves_no_name_pseudonym_or_id(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services, block: bool
) -> None:
    u = make_user()
    await sign(u, NAME, ROLE, ORG, notify=True)
    number = await svc.db.scalar("SELECT number FROM signatures")
    await admin.send(f"/block {number}" if block else f"/remove {number}")
    await admin.press("Remove and block" if block else "Remove")
    old = [NAME.encode(), ROLE.encode(), ORG.encode(), svc.signer(u.id, CAMPAIGN).encode()]
    assert _left(svc, [*old, *_raw(u.id)]) == []
    assert await svc.db.scalar("SELECT COUNT(*) FROM blocks") == int(block)


async def test_a_group_removal_leaves_no_group_id(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    u = make_user()
    group = tg.group(title="Erasable Group")
    await tg.add_bot_to_group(group, by=u)  # the welcome card makes the group's source
    await u.send("/language pl", chat=group, anonymous=True)
    assert _left(svc, _raw(group.id)) != []
    await u.remove_bot_from(group)
    assert _left(svc, _raw(group.id)) == []


async def test_delivery_rows_at_a_broadcast_end_leave_no_raw_id(
    app: BotApp,
    admin: FakeUser,
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    svc: Services,
) -> None:
    """A subscriber who blocked the bot on Telegram's side: the failed delivery keeps their
    raw id until the broadcast ends, then it goes."""
    reader, gone = make_user(), make_user()
    await sign(reader, "Subscriber Reads", notify=True)
    await sign(gone, "Subscriber Gone", notify=True)
    tg.block_bot(gone.id)
    await confirmed_broadcast(admin)
    await app.runtime.broadcaster.join()
    assert "The broadcast is finished: 1 sent, 1 failed." in admin.last.text
    assert await svc.db.scalar("SELECT COUNT(*) FROM deliveries") == 0
    assert _left(svc, _raw(gone.id)) == []


# -- by construction ------------------------------------------------------------------------

# Storage's functions that delete or overwrite personal data, by repository module.
DELETING = {
    "broadcasts": {"cancel", "cancel_forgotten", "finish", "mark_blocked"},
    "drafts": {"delete", "expire", "replace_if"},
    "groups": {"forget", "forget_source"},
    "signatures": {"record", "erase", "anonymise"},
    "signers": {
        "forget_chat",
        "forget_preferences",
        "expire_preferences",
        "block",
        "unsubscribe",
    },
    "trail": {"forget", "expire", "auto_clean_off"},
}


def _storage_calls(path: Path) -> set[str]:
    """`module.function` for every storage repository function the file refers to."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.storage":
            aliases.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.storage."):
            module = (node.module or "").rsplit(".", 1)[1]
            found.update(f"{module}.{a.name}" for a in node.names)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        if node.value.id in aliases:
            found.add(f"{aliases[node.value.id]}.{node.attr}")
    return found


def test_only_core_erasure_calls_storage_that_deletes_personal_data() -> None:
    bot = Path(__file__).resolve().parents[2] / "bot"
    erasure = bot / "core" / "erasure.py"
    deleting = {f"{module}.{fn}" for module, fns in DELETING.items() for fn in fns}
    assert _storage_calls(erasure) & deleting == deleting  # the list names real calls
    for path in sorted(bot.rglob("*.py")):
        if path == erasure or path.is_relative_to(bot / "storage"):
            continue
        assert _storage_calls(path) & deleting == set(), path.relative_to(bot)
