"""The unlock socket: where an organiser, on the server itself, gives the passphrase.

A Unix socket of mode 0600 in a private runtime folder (0700; systemd's RuntimeDirectory=),
and a peer check on top: only the service's own user, or root, can connect. One line in (the
passphrase), one line out. Never through Telegram: a hijacked organiser account must not be
able to unlock, or even learn that the bot is locked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

SOCKET_NAME = "unlock.sock"
REFUSAL_PAUSE = 1.0  # seconds after a wrong passphrase, on top of scrypt's own second
_READ_TIMEOUT = 30.0
_LONGEST_LINE = 1024


class UnlockError(Exception):
    """The socket cannot be offered safely, or a client cannot reach it."""


def socket_path(env: Mapping[str, str]) -> Path:
    """systemd's RuntimeDirectory (`$RUNTIME_DIRECTORY`), else `$XDG_RUNTIME_DIR/petition-bot`."""
    runtime = env.get("RUNTIME_DIRECTORY", "").split(":")[0].strip()
    if runtime:
        return Path(runtime) / SOCKET_NAME
    user_runtime = env.get("XDG_RUNTIME_DIR", "").strip()
    if user_runtime:
        return Path(user_runtime) / "petition-bot" / SOCKET_NAME
    raise UnlockError(
        "no private runtime folder for the unlock socket: set RUNTIME_DIRECTORY "
        "(systemd's RuntimeDirectory= does) to a folder of mode 0700"
    )


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise UnlockError(
            f"the unlock socket's folder {folder} must belong to this user with mode 0700 "
            f"(it has mode {info.st_mode & 0o777:o}; systemd: RuntimeDirectoryMode=0700)"
        )


def _peer_allowed(sock: socket.socket | None) -> bool:
    """This user or root; on systems without SO_PEERCRED the file's mode is the only gate."""
    option = getattr(socket, "SO_PEERCRED", None)
    if sock is None or option is None:
        return True
    _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, 12))
    return uid in (os.geteuid(), 0)


class UnlockServer(Generic[T]):
    """Waits on the socket until `attempt(passphrase)` returns something other than None.

    Attempts run one at a time, each followed by a pause when refused, so guessing through
    the socket is as slow as guessing against the file. `on_refused` counts refusals.
    """

    def __init__(
        self, path: Path, attempt: Callable[[str], T | None], on_refused: Callable[[], None]
    ) -> None:
        self.path = path
        self.attempt = attempt
        self.on_refused = on_refused
        self.refused = 0
        self._result: asyncio.Future[T] | None = None
        self._turn = asyncio.Lock()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        _private_folder(self.path.parent)
        if self.path.is_socket():  # left behind by a run that was killed
            self.path.unlink()
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        os.chmod(self.path, 0o600)

    async def unlocked(self) -> T:
        assert self._result is not None, "start() first"
        return await self._result

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not _peer_allowed(writer.get_extra_info("socket")):
                log.warning("unlock refused: a process of another user connected")
                return
            line = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
            writer.write(await self._try(line))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _try(self, line: bytes) -> bytes:
        assert self._result is not None
        if len(line) > _LONGEST_LINE or not line.endswith(b"\n"):
            return b"refused: send the passphrase on one line\n"
        async with self._turn:
            if self._result.done():
                return b"already unlocked\n"
            try:
                opened = await asyncio.to_thread(
                    self.attempt, line.rstrip(b"\r\n").decode("utf-8", "replace")
                )
            except Exception as exc:  # right passphrase, unusable content: the start fails
                self._result.set_exception(exc)
                return b"failed: the sealed files opened but are not usable (see the log)\n"
            if opened is None:
                self.refused += 1
                self.on_refused()
                log.warning("unlock refused: wrong passphrase (%d so far)", self.refused)
                await asyncio.sleep(REFUSAL_PAUSE)
                return b"refused: wrong passphrase\n"
            self._result.set_result(opened)
            log.info("unlocked")
            return b"unlocked\n"


def send_passphrase(path: Path, passphrase: str, timeout: float = 60.0) -> str:
    """What the waiting bot answers (`unlocked`, `refused: …`); UnlockError if none waits."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise UnlockError(
                f"no locked bot is waiting on {path} (already unlocked, or not running)"
            ) from None
        except PermissionError:
            raise UnlockError(
                f"{path} is not yours: run this as the service's user, or as root"
            ) from None
        sock.sendall(passphrase.encode() + b"\n")
        answer = sock.makefile("rb").readline()
    return answer.decode("utf-8", "replace").strip() or "no answer"
