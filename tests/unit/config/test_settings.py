"""Settings: one clear line for each missing or malformed variable, exit code 2, no traceback."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SETTINGS, SettingsError, load_settings, readme_table
from bot.ops.signer_key import with_signer_key

ROOT = Path(__file__).resolve().parents[3]


def test_full_configuration(env: dict[str, str]) -> None:
    env = {**env, "ADMIN_IDS": "1, 22,333", "DEFAULT_LANGUAGE": "be", "LOG_LEVEL": "debug"}
    settings = load_settings(env)
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.default_language == "be"
    assert settings.log_level == "DEBUG"
    assert settings.api_base_url == "http://fake.invalid/bot"
    assert settings.bot_token not in repr(settings)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"BOT_TOKEN": ""}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"BOT_API_BASE_URL": "ftp://x"}, "BOT_API_BASE_URL"),
        ({"WEBHOOK_URL": "https://example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://example.org/hook", "WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET"),
        ({"RETENTION_DAYS": "soon"}, "RETENTION_DAYS"),
        ({"SIGNER_KEY": "tooshort"}, "SIGNER_KEY"),
    ],
)
def test_bad_variable_is_named(env: dict[str, str], changes: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({**env, **changes})


def test_signer_key_file_created_private(env: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    env["SIGNER_KEY_FILE"] = str(tmp_path / "secrets" / "signer.key")
    first = with_signer_key(load_settings(env))
    key_file = Path(env["SIGNER_KEY_FILE"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = with_signer_key(load_settings(env))
    assert again.signer_key == first.signer_key  # stable across restarts
    assert len(first.signer_key) >= 32


def test_loading_settings_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """Loading only says where the key file is; the start-up step makes it, not `load_settings`."""
    env = {k: v for k, v in env.items() if k != "SIGNER_KEY"}
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    settings = load_settings(env)
    key_file = home / ".config" / "petition-bot" / "signer.key"
    assert settings.signer_key_file == key_file
    assert settings.signer_key == b""
    assert not key_file.exists()
    assert list(home.iterdir()) == []
    assert not Path(env["DATABASE_PATH"]).parent.exists()


def test_readme_table_is_the_settings_table() -> None:
    """Every variable and default in the README comes from bot.config.SETTINGS."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("| Variable | Default | Meaning |")
    end = readme.index("\n\n", start) + 1
    assert readme[start:end] == readme_table(), "paste the output of `python -m bot.config`"


def test_env_example_lists_every_setting_with_its_default() -> None:
    """.env.example names every setting, in order; a value is the default, or blank with the
    default written in the comment above it."""
    found: list[tuple[str, str, str]] = []
    comment: list[str] = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        if not line.strip():
            comment = []
        elif line.startswith("#"):
            comment.append(line)
        elif match := re.fullmatch(r"([A-Z_]+)=(.*)", line):
            found.append((match[1], match[2], "\n".join(comment)))
    assert [name for name, _, _ in found] == [s.name for s in SETTINGS]
    for setting, (name, value, above) in zip(SETTINGS, found, strict=True):
        assert value in ("", setting.default), name
        if not value and setting.default:
            assert setting.default in above, name


def test_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env here
        env={**clean_env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr
