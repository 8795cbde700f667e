"""Installs never build code: every environment receives wheels checked against their hashes,
and the one the bot runs in holds no build tools (setuptools, wheel, build).

An sdist is a program run at install time, and its build requirements are fetched unhashed; so
each `pip install` the Makefile, deploy/install.sh and the README run takes only wheels
(`--only-binary=:all:`) and only the bytes the lock names (`--require-hashes`). The bot's own
wheel is built once, in `.venv-build`, and installed by hash like the rest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
BUILD_TOOLS = ("setuptools", "pkg_resources", "_distutils_hack", "wheel", "build")
PIP_INSTALL = re.compile(r"\bpip(\s+--?\S+)*\s+install\b")
PIP_WHEEL = re.compile(r"\bpip(\s+--?\S+)*\s+wheel\b")


def _logical_lines(text: str) -> list[str]:
    """Shell lines with their backslash continuations joined."""
    return re.sub(r"\\\n\s*", " ", text).splitlines()


def _dry_run() -> str:
    """Every command `make run`, `make test`, `make wheel` and `make lock` would run from scratch."""
    make = shutil.which("make")
    assert make, "make is needed to read the Makefile's commands"
    done = subprocess.run(
        [make, "--dry-run", "--always-make", "run", "test", "wheel", "lock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _pin(requirements: str, name: str) -> str:
    [version] = re.findall(rf"^{re.escape(name)}==(\S+)", (ROOT / requirements).read_text(), re.M)
    return version


def test_the_environment_make_built_holds_no_build_tools(tmp_path: Path) -> None:
    if not VENV_PYTHON.exists():
        pytest.fail(f"{VENV_PYTHON} is missing: run the tests with `make test`")
    probe = f"""
import importlib.metadata as m, importlib.util as u, json
import bot
dist = m.distribution("petition-bot")
print(json.dumps({{
    "build_tools": [n for n in {BUILD_TOOLS!r} if u.find_spec(n)],
    "setuptools_dist": [d.metadata["Name"] for d in m.distributions()
                        if d.metadata["Name"].lower() in ("setuptools", "wheel", "build")],
    "pip": m.version("pip"),
    "version": dist.version,
    "direct_url": dist.read_text("direct_url.json"),
    "bot": bot.__file__,
}}))
"""
    # -I: neither the working folder nor PYTHONPATH may lend it a package.
    done = subprocess.run(
        [str(VENV_PYTHON), "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["build_tools"] == [] and found["setuptools_dist"] == [], found
    assert found["pip"] == _pin("requirements-pip.txt", "pip")
    # The bot came from its wheel (not an editable install pointing at this checkout).
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert found["version"] == pyproject["project"]["version"]
    assert found["direct_url"] is None
    assert "/site-packages/bot/" in found["bot"], found["bot"]


def test_every_install_takes_only_wheels_checked_by_hash() -> None:
    sources = {"make": _dry_run()}
    for path in [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *sorted(p for p in (ROOT / "deploy").rglob("*") if p.is_file()),
    ]:
        sources[str(path.relative_to(ROOT))] = path.read_text()
    installs = {
        (where, line.strip())
        for where, text in sources.items()
        for line in _logical_lines(text)
        if PIP_INSTALL.search(line)
    }
    for where, line in installs:
        assert "--only-binary=:all:" in line and "--require-hashes" in line, (where, line)
        assert not re.search(r"\s(-e|--editable|--no-build-isolation)\b", line), (where, line)
    places = {where for where, _ in installs}
    assert {"make", "deploy/install.sh"} <= places, places  # the check read real commands
    # .venv, the servers' install and their upgrades all go through deploy/install.sh.
    assert "deploy/install.sh .venv requirements.txt" in sources["make"]
    assert "deploy/install.sh .venv requirements-dev.txt" in sources["make"]
    assert sources["README.md"].count("deploy/install.sh /opt/petition-bot") == 2
    # Code is built in one place: the build environment, with no isolation (nothing fetched).
    wheels = [line for line in _logical_lines(sources["make"]) if PIP_WHEEL.search(line)]
    assert wheels, "the Makefile builds no wheel"
    for line in wheels:
        assert ".venv-build/bin/python -m pip" in line and "--no-build-isolation" in line, line
    # CI runs the README's test command, so it installs this way too.
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"


def test_the_locks_take_only_wheels_and_pin_build_tools_apart() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / name).read_text()
        # Even a bare `pip install -r` of a lock takes no sdist.
        assert "\n--only-binary :all:\n" in text, name
        pinned = set(re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M))
        assert not pinned & {"setuptools", "wheel", "build", "pip"}, name
    assert re.findall(r"^([a-z-]+)==", (ROOT / "requirements-build.txt").read_text(), re.M) == [
        "setuptools"
    ]
