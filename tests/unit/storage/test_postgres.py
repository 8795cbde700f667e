"""The PostgreSQL engine against a real server: its schema is SQLite's, its migrations keep
in step, its settings keep the password out of logs and names off an unverified network."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import psycopg
import pytest

from bot import cli
from bot.config import Settings, SettingsError, load_settings
from bot.storage import dialect
from bot.storage import postgres as pg
from bot.storage import sqlite as lite
from bot.storage.postgres import PostgresDatabase
from tests.support.postgres import Server

# Dropped by the first start with a key on SQLite (bot.storage.keys), never made on
# PostgreSQL; SQLite's own bookkeeping.
_SQLITE_ONLY = {"signers", "sqlite_sequence"}
# How each engine names a column's type: SQLite's INTEGER is PostgreSQL's BIGINT.
_TYPES = {
    "INTEGER": "bigint",
    "TEXT": "text",
    "REAL": "double precision",
    "bigint": "bigint",
    "text": "text",
    "double precision": "double precision",
}


def _sqlite_schema(tmp_path: Path) -> dict[str, object]:
    conn = sqlite3.connect(tmp_path / "schema.sqlite3")
    for _, path in lite.migration_files():
        for statement in lite._statements(path.read_text(encoding="utf-8")):
            conn.execute(statement)
    tables: dict[str, object] = {}
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in sorted(set(names) - _SQLITE_ONLY - {"schema_migrations"}):
        columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
        indexes = {
            r[1]
            for r in conn.execute(f"PRAGMA index_list({table})")
            if r[3] == "c"  # the ones CREATE INDEX made, by name
        }
        tables[table] = (
            {c[1]: (_TYPES[c[2]], bool(c[3]) or bool(c[5])) for c in columns},
            sorted(c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]),
            indexes,
        )
    conn.close()
    return tables


def _postgres_schema(url: str) -> dict[str, object]:
    tables: dict[str, object] = {}
    with psycopg.connect(url) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        ]
        for table in sorted(set(names) - {"schema_migrations"}):
            columns = conn.execute(
                "SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns"
                " WHERE table_name = %s",
                (table,),
            ).fetchall()
            key = conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary"
                " ORDER BY array_position(i.indkey, a.attnum)",
                (table,),
            ).fetchall()
            indexes = {
                r[0]
                for r in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s"
                    " AND indexname NOT LIKE '%%_pkey' AND indexname NOT LIKE '%%_key'",
                    (table,),
                )
            }
            tables[table] = (
                {c[0]: (_TYPES[c[1]], bool(c[2])) for c in columns},
                sorted(k[0] for k in key),
                indexes,
            )
    return tables


def test_both_engines_have_the_same_tables_columns_keys_and_indexes(
    tmp_path: Path, postgres_server: Server | None
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    expected = _sqlite_schema(tmp_path)
    got = _postgres_schema(postgres_server.new_database())
    assert got.keys() == expected.keys()
    for table in expected:
        assert got[table] == expected[table], table


def test_the_migrations_of_both_engines_end_at_the_same_number() -> None:
    """A new migration in migrations/ needs its twin in migrations/postgres/."""
    assert pg.migration_files()[-1][0] == lite.migration_files()[-1][0]


async def test_two_workers_starting_at_once_migrate_once(postgres_server: Server | None) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    url = postgres_server.empty_database()
    first, second = PostgresDatabase(url, pool_size=1), PostgresDatabase(url, pool_size=1)
    import asyncio

    await asyncio.gather(first.open(), second.open())
    try:
        assert await first.schema_version() == lite.migration_files()[-1][0]
        rows = await first.fetchall("SELECT version FROM schema_migrations")
        assert len(rows) == len(pg.migration_files())
    finally:
        await first.close()
        await second.close()


def test_the_dialect_rewrites_what_sqlite_spells_its_own_way() -> None:
    assert dialect.postgres("INSERT OR IGNORE INTO t (a) VALUES (?)") == (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert dialect.postgres("SELECT 1 FROM t WHERE name IS ? AND k LIKE 'a%' AND +c = ?") == (
        "SELECT 1 FROM t WHERE name IS NOT DISTINCT FROM %s AND k LIKE 'a%%' AND c = %s"
    )
    assert dialect.postgres("SELECT '?' FROM t WHERE a IS NOT ?") == (
        "SELECT '?' FROM t WHERE a IS DISTINCT FROM %s"
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:pw@db.example.org/petition",
        "postgresql://bot:pw@db.example.org/petition?sslmode=require",
        "postgresql://bot:pw@db.example.org/petition?sslmode=prefer",
    ],
)
def test_a_remote_database_needs_a_verified_certificate(env: dict[str, str], url: str) -> None:
    """Names must not cross the network to a server whose certificate nobody checked."""
    if "sslmode" in url:
        with pytest.raises(SettingsError, match="sslmode=verify-full"):
            load_settings({**env, "DATABASE_URL": url})
    else:
        settings = load_settings({**env, "DATABASE_URL": url})
        assert settings.database_url == f"{url}?sslmode=verify-full"


def test_a_local_database_may_go_without_tls(env: dict[str, str]) -> None:
    for url in (
        "postgresql://bot@localhost/petition",
        "postgresql://bot@127.0.0.1:5432/petition",
        "postgresql:///petition?host=/run/postgresql",
    ):
        assert load_settings({**env, "DATABASE_URL": url}).database_url == url


def test_backups_of_postgres_are_not_the_bots(env: dict[str, str], tmp_path: Path) -> None:
    changes = {"DATABASE_URL": "postgresql:///p", "BACKUP_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="pg_dump"):
        load_settings({**env, **changes})


def test_the_database_password_never_reaches_the_log(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    """DATABASE_URL (from DATABASE_URL_FILE here) and its password alone are scrubbed from
    log lines and from the last line, as the token is."""
    password = "database-password-7f3a"
    url = f"postgresql://bot:{password}@localhost/petition"
    (tmp_path / "url").write_text(url)
    for key, value in {**env, "DATABASE_URL_FILE": str(tmp_path / "url")}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)

    def leak(settings: Settings, metrics: object = None) -> int:
        logging.getLogger("bot").warning("leak %s %s", settings.database_url, password)
        raise RuntimeError(f"leak {settings.database_url} {password}")

    monkeypatch.setattr(cli, "run", leak)
    monkeypatch.setattr(cli, "migrate", _no_migration)
    assert cli.main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("leak [redacted] [redacted]") == 2, err
    assert password not in err
    assert pg.describe(url) == "postgresql://localhost/petition"


async def _no_migration(settings: Settings, *, quiet: bool = False) -> int:
    return 0
