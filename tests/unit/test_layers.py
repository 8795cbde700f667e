"""What import contracts cannot see: an attribute. The database handle travels inside the
shared Services, so a handler could write SQL through `context.svc.db` although it imports
nothing from storage/; only the process's lifecycle (fleet.py, opening and closing it) and
the job that hands it to a backup may touch it in telegram/."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

TELEGRAM = ROOT / "bot" / "telegram"
MAY_TOUCH_THE_DATABASE = {"fleet.py", "jobs.py"}


def _touches_the_database(source: str) -> list[int]:
    tree = ast.parse(source)
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "db"]


def test_telegram_reaches_data_only_through_core() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(TELEGRAM.rglob("*.py"))
        if path.name not in MAY_TOUCH_THE_DATABASE or path.parent != TELEGRAM
        if (lines := _touches_the_database(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_check_sees_an_attribute_access() -> None:
    assert _touches_the_database("async def f(context):\n    await context.svc.db.execute('x')\n")
