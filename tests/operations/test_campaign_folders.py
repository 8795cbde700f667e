"""`petition-bot campaigns import` and `export`: folders into the database and back, whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("restore_logging")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_export_import_export_gives_the_same_bytes(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["campaigns", "import", str(ROOT / "campaigns")]) == 0
    assert "2 campaigns imported" in capsys.readouterr().out
    assert cli.main(["campaigns", "export", str(tmp_path / "first")]) == 0
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "other" / "bot.sqlite3"))
    assert cli.main(["campaigns", "import", str(tmp_path / "first")]) == 0
    assert cli.main(["campaigns", "export", str(tmp_path / "second")]) == 0
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first == second
    # The texts themselves come back unchanged; campaign.toml in its one written form.
    original = _files(ROOT / "campaigns")
    assert {k: v for k, v in first.items() if k.endswith(".md")} == {
        k: v for k, v in original.items() if k.endswith(".md")
    }
    assert set(first) == set(original)


def test_a_bad_folder_imports_nothing(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    folders = Path(env["CAMPAIGNS_DIR"])
    (folders / "open-doors-letter" / "en.md").write_text("no header\n")
    assert cli.main(["campaigns", "import", str(folders)]) == 2
    assert "nothing was stored" in capsys.readouterr().err
    assert cli.main(["campaigns", "export", str(tmp_path / "out")]) == 0
    assert "0 campaigns exported" in capsys.readouterr().out
