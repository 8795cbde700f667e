"""Putting the published site in place, and handing it to PUBLISH_COMMAND.

The site is written into a new folder beside PUBLISH_DIR and then swapped with it in one
rename (Linux's RENAME_EXCHANGE), so a host serving the folder never sees half a site, and a
run that fails leaves the previous site whole. Only a folder this module made (it holds
bot.site's marker) or an empty one is ever replaced.

PUBLISH_COMMAND runs through /bin/sh with a minimal environment (PATH, LANG, PUBLISH_DIR, and
HOME and CREDENTIALS_DIRECTORY where set: paths, not secrets), never the bot's own, so no token
or key reaches it; its output is discarded and a failure is one log line with the exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bot.site.build import MARKER

log = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class PublishError(Exception):
    """The site could not be put in place; the previous one stays."""


def _exchange(a: Path, b: Path) -> None:
    """Swaps two paths atomically (renameat2); OSError where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _ours(folder: Path) -> bool:
    return (
        folder.is_dir()
        and not folder.is_symlink()
        and ((folder / MARKER).is_file() or not any(folder.iterdir()))
    )


def write_site(folder: Path, files: Mapping[str, bytes]) -> None:
    """Writes `files` (relative paths) as the whole content of `folder`, swapped in at once.
    Folders are 0755 and files 0644: what a static host must read is public."""
    folder = folder.absolute()
    if folder.exists() and not _ours(folder):
        raise PublishError(
            f"{folder} exists and was not made by petition-bot publish: name a new or empty folder"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for relative, data in files.items():
            path = staging / relative
            if path.parent != staging:
                path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                path.parent.chmod(0o755)
            path.write_bytes(data)
            path.chmod(0o644)
        staging.chmod(0o755)
        if not folder.exists():
            staging.rename(folder)
            return
        try:
            _exchange(staging, folder)
        except OSError as exc:  # an old kernel or a filesystem without it: two renames
            if exc.errno not in (errno.ENOSYS, errno.EINVAL):
                raise
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
            staging.rename(folder)
            staging = old
        shutil.rmtree(staging)  # now the previous site
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"cannot write the site into {folder}: {exc.strerror or exc}") from None


def command_environment(folder: str) -> dict[str, str]:
    """What PUBLISH_COMMAND gets: paths only, nothing of the bot's settings or secrets."""
    env = {
        "PATH": os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PUBLISH_DIR": folder,
    }
    for name in ("HOME", "CREDENTIALS_DIRECTORY"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


async def run_command(command: str, folder: Path, seconds: float) -> str | None:
    """Runs PUBLISH_COMMAND once (`folder` absolute, as settings are); None when it exited
    0, else why not (for one log line)."""
    process = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        command,
        env=command_environment(str(folder)),
        cwd=str(folder.parent),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,  # its children go with it on a timeout
    )
    try:
        async with asyncio.timeout(seconds):
            code = await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        return f"timed out after {seconds:.0f} s"
    return None if code == 0 else f"exit code {code}"
