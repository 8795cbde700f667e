"""Every gettext call must be where `pybabel extract` sees it: a call written inside an
f-string is invisible to it, so its text would never reach a catalog and never be translated."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"


def test_no_gettext_call_hides_inside_an_f_string() -> None:
    hidden = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in ("_", "ngettext")
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)  # a msgid written here
                ):
                    hidden.append(f"{path.relative_to(BOT.parent)}:{inner.lineno}")
    assert hidden == []
