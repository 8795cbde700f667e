"""Where PostgreSQL's SQL differs from SQLite's: the one place that knows.

The repository modules write one SQL for both engines (upserts with qualified columns, aliased
subqueries, RETURNING instead of lastrowid, CAST(EXISTS ... AS INTEGER)); what cannot be
written once is rewritten here, statement by statement, for bot.storage.postgres:

- `?` placeholders become `%s`, and a literal `%` becomes `%%` (psycopg's placeholders);
- `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`;
- `x IS ?` and `x IS NOT ?` compare values, which PostgreSQL spells IS [NOT] DISTINCT FROM;
- `sqlite_master` (which tables exist) reads information_schema instead;
- `WHERE +column`, SQLite's way of keeping a column's index out of a plan, loses its `+`.

Types differ too: PostgreSQL columns are BIGINT where SQLite's are INTEGER (Telegram ids pass
2^31), and parameters are sent untyped so the server infers them as SQLite would accept them
(bot.storage.postgres registers those dumpers).
"""

from __future__ import annotations

import re

_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?\?", re.IGNORECASE)
_NO_INDEX = re.compile(r"\b(WHERE|AND)\s+\+(?=[A-Za-z_])", re.IGNORECASE)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)
_TABLES = (
    "(SELECT table_name AS name, 'table' AS type FROM information_schema.tables"
    " WHERE table_schema = current_schema()) AS sqlite_master"
)


def _is_param(match: re.Match[str]) -> str:
    return "IS DISTINCT FROM ?" if match.group(1) else "IS NOT DISTINCT FROM ?"


def _placeholders(sql: str) -> str:
    """`?` -> `%s` outside quoted text; every `%` doubled (psycopg reads `%` everywhere)."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if char == "%":
            out.append("%%")
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append(char)
    return "".join(out)


def postgres(sql: str) -> str:
    """One SQLite statement of the repositories, as PostgreSQL runs it."""
    if _IGNORE.match(sql):
        sql = _IGNORE.sub("INSERT INTO", sql, count=1)
        found = _RETURNING.search(sql)
        if found:
            sql = f"{sql[: found.start()]} ON CONFLICT DO NOTHING{sql[found.start() :]}"
        else:
            sql = f"{sql.rstrip().rstrip(';')} ON CONFLICT DO NOTHING"
    sql = _IS_PARAM.sub(_is_param, sql)
    sql = _NO_INDEX.sub(r"\1 ", sql)
    sql = sql.replace("sqlite_master", _TABLES)
    return _placeholders(sql)


class Translations:
    """Each statement translated once per engine: the hot ones run thousands of times."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}

    def __call__(self, sql: str) -> str:
        found = self._done.get(sql)
        if found is None:
            found = postgres(sql)
            if len(self._done) < 10_000:  # statements are the code's, not data: a bound anyway
                self._done[sql] = found
        return found
