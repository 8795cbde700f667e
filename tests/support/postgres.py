"""A real PostgreSQL server for the tests, started once per test session.

Debian's `postgresql` package (installed by .ci/run) gives initdb and postgres. PostgreSQL
refuses to run as root, so under root the server runs as `nobody`, in a folder of its own under
the system's temporary folder, listening on a Unix socket only (no port, no password). Each
test gets a new database copied from a template that already holds the migrations. Where no
server can be started, the tests that need one are skipped with one line saying why.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from bot.storage.postgres import PostgresDatabase

TEMPLATE = "bot_template"
_INITDB = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C")
_START = ("-w", "-t", "30", "start")
_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)


class Server:
    """A running server: `url(name)` reaches a database on it through its socket."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.encode())

    def new_database(self) -> str:
        """A fresh, migrated database's URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def empty_database(self) -> str:
        name = f"empty_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)


def _as_server_user(command: list[str]) -> list[str]:
    """The command run as `nobody` when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]


def unavailable() -> str:
    """Why no server can start here, in one line; empty when one can."""
    if not _BINARIES:
        return "no PostgreSQL server (Debian package postgresql) is installed"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv is missing: PostgreSQL cannot be started as root"
    return ""


def start() -> tuple[Server | None, str]:
    """A new server, or None and the one-line reason none could start."""
    if reason := unavailable():
        return None, reason
    bin_dir = _BINARIES[0].parent
    folder = Path(tempfile.mkdtemp(prefix="petition-pg-"))
    folder.chmod(0o700)
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    data = folder / "data"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "cwd": folder}
    init = subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), *_INITDB]),
        check=False,
        **quiet,  # type: ignore[call-overload]
    )
    if init.returncode != 0:
        return None, f"initdb failed: {init.stderr.decode(errors='replace').strip()[:200]}"
    options = (
        f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off -c max_connections=200"
    )
    started = subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                *_START,
            ]
        ),
        check=False,
        **quiet,  # type: ignore[call-overload]
    )
    if started.returncode != 0:
        return None, "the PostgreSQL server did not start (see its log)"
    server = Server(folder)
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    asyncio.run(_migrate(server.url(TEMPLATE)))
    return server, ""


async def _migrate(url: str) -> None:
    db = PostgresDatabase(url, pool_size=1)
    await db.open()
    await db.close()


def stop(server: Server) -> None:
    bin_dir = _BINARIES[0].parent
    data = server.folder / "data"
    subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(server.folder, ignore_errors=True)


def session_server() -> Iterator[tuple[Server | None, str]]:
    """The session fixture's body: one server for every test of this process (of each
    worker, under pytest-xdist) that asks for one."""
    server, reason = start()
    yield server, reason
    if server is not None:
        stop(server)
