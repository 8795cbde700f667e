"""deploy/: the systemd unit verifies and is hardened; the restore helper and the reverse
proxy match it and the bot's defaults."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.telegram import broadcast, transport
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "petition-bot.service"
TPM_DROP_IN = DEPLOY / "petition-bot.service.d" / "tpm-credentials.conf"
SITE_DROP_IN = DEPLOY / "petition-bot.service.d" / "upload-site.conf"


def _directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_is_hardened_and_does_not_restart_on_a_configuration_error() -> None:
    unit = _directives(UNIT.read_text())
    want = {
        "DynamicUser": "yes",
        "StateDirectory": "petition-bot",
        "StateDirectoryMode": "0700",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "Restart": "on-failure",
        "RestartPreventExitStatus": "2",
        "UMask": "0077",
        # The unlock socket's folder (unlock at start), private to the service's user.
        "RuntimeDirectory": "petition-bot",
        "RuntimeDirectoryMode": "0700",
        # The key and names never reach swap or a core dump.
        "MemorySwapMax": "0",
        "LimitCORE": "0",
    }
    for key, value in want.items():
        assert unit.get(key) == [value], key
    # The secrets arrive as credentials, under the names the bot reads by default.
    assert unit["LoadCredential"] == [
        "bot-token:/etc/petition-bot/bot-token",
        "signer.key:/etc/petition-bot/signer.key",
    ]
    assert not any(e.startswith(("BOT_TOKEN", "SIGNER_KEY")) for e in unit["Environment"])
    assert unit["ExecStart"][0].split()[0].endswith("/petition-bot")
    # The stop timeout outlasts a broadcast recording its in-flight message.
    grace = inspect.signature(broadcast.Broadcaster.stop).parameters["grace"].default
    assert int(unit["TimeoutStopSec"][0]) > grace + transport.READ_TIMEOUT + 10
    # The data lives in the state directory: what the bot writes is writable there.
    for key in ("DATABASE_PATH", "BACKUP_DIR"):
        [value] = [e.split("=", 1)[1] for e in unit["Environment"] if e.startswith(key + "=")]
        assert value.startswith("/var/lib/petition-bot/")


def test_the_site_drop_in_publishes_into_the_state_directory_after_the_tpm_one() -> None:
    """Its credentials survive the TPM drop-in's reset (drop-ins apply in name order), and the
    site goes where the service may write."""
    site = _directives(SITE_DROP_IN.read_text())
    assert site["Environment"] == ["PUBLISH_DIR=/var/lib/petition-bot/site"]
    assert {v.split(":")[0] for v in site["LoadCredential"]} == {
        "publish-ssh-key",
        "publish-known-hosts",
    }
    assert SITE_DROP_IN.name > TPM_DROP_IN.name


def test_the_tpm_drop_in_loads_the_same_credentials_encrypted() -> None:
    unit, drop_in = _directives(UNIT.read_text()), _directives(TPM_DROP_IN.read_text())
    assert drop_in["LoadCredential"] == [""]  # the plain files are dropped
    plain = {value.split(":")[0] for value in unit["LoadCredential"]}
    encrypted = dict(value.split(":", 1) for value in drop_in["LoadCredentialEncrypted"])
    assert set(encrypted) == plain == {"bot-token", "signer.key"}
    assert all(path.endswith(".cred") for path in encrypted.values())
    assert "--with-key=tpm2" in TPM_DROP_IN.read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not found")
@pytest.mark.parametrize("mode", ["unlock at start", "TPM credentials", "public page"])
def test_systemd_analyze_verifies_the_unit(tmp_path: Path, mode: str) -> None:
    # verify fails when ExecStart's binary is missing, so a copy points at one that exists here;
    # the drop-in is found through SYSTEMD_UNIT_PATH, as /etc/systemd/system would provide it.
    text = re.sub(
        r"^ExecStart=\S+",
        f"ExecStart={Path(sys.executable).resolve()} -m bot",
        UNIT.read_text(),
        flags=re.M,
    )
    unit = tmp_path / "petition-bot.service"
    unit.write_text(text)
    if mode != "unlock at start":
        (tmp_path / "petition-bot.service.d").mkdir()
        shutil.copy(TPM_DROP_IN, tmp_path / "petition-bot.service.d" / TPM_DROP_IN.name)
    if mode == "public page":
        shutil.copy(SITE_DROP_IN, tmp_path / "petition-bot.service.d" / SITE_DROP_IN.name)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
    )
    assert done.returncode == 0, done.stderr
    problems = [line for line in done.stderr.splitlines() if "petition-bot.service" in line]
    assert problems == []  # unknown or malformed directives are only warned about


def test_systemd_creds_round_trips_a_credential_bound_to_its_name(tmp_path: Path) -> None:
    """What the TPM drop-in relies on. This machine has no systemd as PID 1, so the unit itself
    is never started here: only the tool is exercised (with a TPM where one exists, else the
    host key, which is the mode the README says is no protection)."""
    if shutil.which("systemd-creds") is None:
        pytest.skip("systemd-creds not found")
    tpm = subprocess.run(["systemd-creds", "has-tpm2", "--quiet"], check=False).returncode == 0
    key = "tpm2" if tpm else "host"
    secret = "5e" * 32
    sealed = subprocess.run(
        ["systemd-creds", "encrypt", f"--with-key={key}", "--name=signer.key", "-", "-"],
        input=secret.encode(),
        capture_output=True,
        timeout=60,
    )
    if sealed.returncode != 0:
        pytest.skip(f"systemd-creds cannot encrypt here: {sealed.stderr.decode()[:200]}")
    assert secret.encode() not in sealed.stdout
    opened = subprocess.run(
        ["systemd-creds", "decrypt", "--name=signer.key", "-", "-"],
        input=sealed.stdout,
        capture_output=True,
        timeout=60,
    )
    assert (opened.returncode, opened.stdout) == (0, secret.encode()), opened.stderr
    renamed = subprocess.run(
        ["systemd-creds", "decrypt", "--name=bot-token", "-", "-"],
        input=sealed.stdout,
        capture_output=True,
        timeout=60,
    )
    assert renamed.returncode != 0  # a credential opens only under the name it was made for


def test_the_restore_helper_runs_as_the_service_does() -> None:
    unit = _directives(UNIT.read_text())
    script = (DEPLOY / "restore.sh").read_text()
    assert subprocess.run(["sh", "-n", str(DEPLOY / "restore.sh")], check=False).returncode == 0
    properties = re.findall(r"--property=(\w+)=(\S+)", script)
    assert properties
    for key, value in properties:
        assert value in unit.get(key, []), (key, value)
    credentials = [value for key, value in properties if key == "LoadCredential"]
    assert credentials == unit["LoadCredential"]
    for key in ("DynamicUser", "StateDirectory", "LoadCredential", "EnvironmentFile"):
        assert any(k == key for k, _ in properties), key
    assert "petition-bot restore" in script


def test_the_proxy_passes_only_telegrams_webhook_with_its_secret() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8443" in caddy  # WEBHOOK_LISTEN and WEBHOOK_PORT defaults
    assert "header X-Telegram-Bot-Api-Secret-Token {$WEBHOOK_SECRET}" in caddy
    assert "method POST" in caddy and "respond 404" in caddy
    assert caddy.count("reverse_proxy") == 1  # /healthz and /metrics are never proxied
