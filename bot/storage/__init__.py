"""All SQL lives here: repository modules over the `Database` interface (bot.storage.engine),
and the SQLite engine that implements it (bot.storage.sqlite)."""

from bot.storage.engine import Database, Row

__all__ = ["Database", "Row"]
