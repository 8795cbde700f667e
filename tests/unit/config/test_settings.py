"""Settings: one clear line for each missing or malformed variable, exit code 2, no traceback."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.config.table import SETTINGS, readme_table
from bot.ops.signer_key import with_signer_key
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[3]


def test_full_configuration(env: dict[str, str]) -> None:
    env = {**env, "ADMIN_IDS": "1, 22,333", "DEFAULT_LANGUAGE": "be", "LOG_LEVEL": "debug"}
    settings = load_settings(env)
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.default_language == "be"
    assert settings.log_level == "DEBUG"
    assert settings.api_base_url == "http://fake.invalid/bot"
    assert settings.bot_tokens[0] not in repr(settings)


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
        ({"PREFERENCES_DAYS": "91"}, "PREFERENCES_DAYS"),
        ({"PREFERENCES_DAYS": "0"}, "PREFERENCES_DAYS"),
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


def _without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


def _secret_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text + "\n")
    path.chmod(mode)
    return path


def test_token_and_webhook_secret_from_files(env: dict[str, str], tmp_path: Path) -> None:
    """Secrets need not sit in the environment, where other processes and crash reports see
    them; the files' trailing newline is not part of them."""
    secret = "s3cret-from-a-file-0123456789"
    env = _without(env, "BOT_TOKEN") | {
        "BOT_TOKEN_FILE": str(_secret_file(tmp_path / "token", env["BOT_TOKEN"])),
        "WEBHOOK_URL": "https://example.org/hook",
        "WEBHOOK_SECRET_FILE": str(_secret_file(tmp_path / "webhook", secret)),
    }
    settings = load_settings(env)
    assert settings.bot_tokens == (TOKEN,)
    assert settings.webhook_secret == secret
    assert settings.warnings == ()


def test_token_from_the_systemd_credential(env: dict[str, str], tmp_path: Path) -> None:
    """`LoadCredential=bot-token:…` in the unit: read when neither variable is set."""
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    _secret_file(credentials / "bot-token", TOKEN, mode=0o400)
    env = _without(env, "BOT_TOKEN") | {"CREDENTIALS_DIRECTORY": str(credentials)}
    assert load_settings(env).bot_tokens == (TOKEN,)
    with pytest.raises(SettingsError) as given_twice:
        load_settings(env | {"BOT_TOKEN": TOKEN})
    assert str(given_twice.value) == (
        "BOT_TOKEN is set, and so is the systemd credential bot-token: keep one of them"
    )


@pytest.mark.parametrize(
    ("name", "file_name"),
    [("BOT_TOKEN", "BOT_TOKEN_FILE"), ("WEBHOOK_SECRET", "WEBHOOK_SECRET_FILE")],
)
def test_a_secret_given_both_ways_is_refused(
    env: dict[str, str], tmp_path: Path, name: str, file_name: str
) -> None:
    value = env["BOT_TOKEN"] if name == "BOT_TOKEN" else "s3cret-from-a-file-0123456789"
    both = env | {
        "WEBHOOK_URL": "https://example.org/hook",
        name: value,
        file_name: str(_secret_file(tmp_path / "secret", value)),
    }
    with pytest.raises(SettingsError) as refused:
        load_settings(both)
    assert str(refused.value) == f"{name} is set, and so is {file_name}: keep one of them"


def test_an_unreadable_or_empty_secret_file_is_one_clear_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = _without(env, "BOT_TOKEN")
    missing = tmp_path / "no-such-token"
    with pytest.raises(SettingsError) as unreadable:
        load_settings(env | {"BOT_TOKEN_FILE": str(missing)})
    assert str(unreadable.value) == (
        f"BOT_TOKEN_FILE {missing} cannot be read: No such file or directory"
    )
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN_FILE .* cannot be read: Is a directory$"):
        load_settings(env | {"BOT_TOKEN_FILE": str(tmp_path)})
    empty = _secret_file(tmp_path / "empty", "")
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN_FILE .*/empty is empty$"):
        load_settings(env | {"BOT_TOKEN_FILE": str(empty)})
    wrong = _secret_file(tmp_path / "wrong", "not-a-token")
    with pytest.raises(SettingsError) as malformed:
        load_settings(env | {"BOT_TOKEN_FILE": str(wrong)})
    assert str(malformed.value).startswith(f"BOT_TOKEN_FILE {wrong} is malformed")
    assert "not-a-token" not in str(malformed.value)


def test_a_secret_file_others_can_read_is_warned_about(env: dict[str, str], tmp_path: Path) -> None:
    shared = _secret_file(tmp_path / "token", TOKEN, mode=0o644)
    settings = load_settings(_without(env, "BOT_TOKEN") | {"BOT_TOKEN_FILE": str(shared)})
    assert settings.warnings == (
        f"BOT_TOKEN_FILE {shared} can be read by other users (mode 644): chmod 600 it",
    )


def test_publish_bots_left_set_is_warned_about(env: dict[str, str]) -> None:
    """PUBLISH_BOTS is no longer read (the site names the database's official bots): an
    operator who kept it is told, not left wondering why the page differs."""
    assert load_settings(env | {"PUBLISH_BOTS": ""}).warnings == ()
    assert load_settings(env | {"PUBLISH_BOTS": "@old_bot"}).warnings == (
        "PUBLISH_BOTS is no longer read: the public page names the official bots the "
        "database knows (see /bots); remove it",
    )


def test_a_token_given_both_ways_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    token_file = _secret_file(tmp_path / "token", TOKEN)
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={
            **clean_env,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "BOT_TOKEN_FILE": str(token_file),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "configuration error: BOT_TOKEN is set, and so is BOT_TOKEN_FILE: keep one of them"
    ]
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout
