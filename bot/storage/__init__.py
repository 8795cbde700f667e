"""All SQL lives here. Handlers and the domain call these functions, never the connection."""

from bot.storage.db import Database

__all__ = ["Database"]
