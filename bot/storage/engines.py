"""Which engine the settings choose: PostgreSQL when DATABASE_URL is set, else SQLite at
DATABASE_PATH. The composition root and the command line open the database through here."""

from __future__ import annotations

from bot.config import Settings
from bot.storage import postgres, sqlite
from bot.storage.engine import Database

# What either engine raises when the database itself fails.
DatabaseError = (sqlite.DatabaseError, postgres.DatabaseError)


def engine_for(settings: Settings) -> Database:
    """The engine the settings name, not yet opened."""
    if settings.database_url:
        return postgres.PostgresDatabase(
            settings.database_url,
            pooler=settings.database_pooler,
            pool_size=settings.database_pool_size,
        )
    return sqlite.SqliteDatabase(settings.database_path)


def where(settings: Settings) -> str:
    """The database as messages name it: never the URL's user or password."""
    if settings.database_url:
        return postgres.describe(settings.database_url)
    return str(settings.database_path)


def migrations_ready(settings: Settings) -> None:
    """Raises MigrationError when the installation lacks this engine's migrations."""
    if settings.database_url:
        postgres.migration_files()
    sqlite.migration_files()
