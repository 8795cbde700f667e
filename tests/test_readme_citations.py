"""The README's threat model cites tests by path and by name as proof of each promise: a cited
test that was renamed, moved or deleted would leave a promise without its proof."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
_DEFINED = {
    match.group(1)
    for path in (ROOT / "tests").rglob("test_*.py")
    for match in re.finditer(r"^\s*(?:async )?def (test_\w+)", path.read_text(), re.M)
}


def test_every_test_file_the_readme_cites_exists() -> None:
    cited = set(re.findall(r"\btests/[\w/]+\.py\b", README))
    assert cited, "the README cites no test file: the pattern is broken"
    assert sorted(path for path in cited if not (ROOT / path).is_file()) == []


def test_every_test_name_the_readme_cites_is_defined() -> None:
    cited = set(re.findall(r"`(test_\w+)`", README))
    assert len(cited) >= 10, "the README cites fewer tests than its threat model does"
    assert sorted(cited - _DEFINED) == []
