"""Small shared data types of the fake Bot API (no behaviour here)."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Upload:
    """A file that arrived as a multipart upload (not a file_id or URL)."""

    data: bytes
    filename: str = "file"
    mime: str = "application/octet-stream"


@dataclass(slots=True)
class StoredFile:
    """A file Telegram keeps after an upload; addressed by file_id."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str
    mime: str
    file_path: str

    @property
    def size(self) -> int:
        """Byte size, as Telegram's file_size."""
        return len(self.data)


class ApiError(Exception):
    """An error reply of the Bot API; `violation` marks a bot bug (not a runtime condition)."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, violation: bool = True) -> ApiError:
    """400 with Telegram's 'Bad Request: ' prefix."""
    return ApiError(400, "Bad Request: " + detail, violation=violation)


class FaultTimeout(Exception):
    """Raised by the core when an injected timeout fault hits; adapters map it to TimedOut."""

    def __init__(self, method: str, took_effect: bool) -> None:
        super().__init__(f"injected timeout in {method} (took_effect={took_effect})")
        self.method = method
        self.took_effect = took_effect


@dataclass(slots=True)
class Call:
    """One recorded Bot API call, in arrival order."""

    method: str
    params: dict[str, Any]
    result: Any
    ok: bool
    error_code: int | None = None
    description: str | None = None
    fault: str | None = None

    @property
    def chat_id(self) -> Any:
        """chat_id parameter (int or '@name'), numeric strings turned into int."""
        return norm_chat_id(self.params.get("chat_id"))


def norm_chat_id(value: Any) -> Any:
    """Telegram accepts '123' for 123; normalise so comparisons work."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


@dataclass
class Faults:
    """Fault injection: `rate` of eligible calls fail with one of `kinds`.

    kinds: "429" (retry_after=`retry_after`), "5xx" (502 Bad Gateway), "timeout"
    (telegram.error.TimedOut; with probability `timeout_took_effect` the call was executed
    before the timeout). getMe/getUpdates are exempt unless listed in `include`.
    `methods` restricts faults to these methods when given.
    """

    rate: float = 0.1
    kinds: tuple[str, ...] = ("429", "5xx", "timeout")
    seed: int = 1
    retry_after: int = 1
    timeout_took_effect: float = 0.5
    include: tuple[str, ...] = ()
    methods: tuple[str, ...] | None = None
    http_hold_seconds: float = 6.0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self, method: str) -> str | None:
        """Decide (deterministically per seed) whether this call fails and how."""
        if self.methods is not None and method not in self.methods:
            return None
        if method in ("getMe", "getUpdates") and method not in self.include:
            return None
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return None
        return self.rng.choice(self.kinds)


@dataclass
class ChatState:
    """A chat as the fake server knows it."""

    id: int
    type: str
    title: str | None = None
    user: dict[str, Any] | None = None
    username: str | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1  # the next message id, where the chat numbers its own (own_numbering)
    last_id: int = 0  # the newest message id used in this chat
    bot_member: bool = False
    started: bool = False
    blocked: bool = False
    send_times: deque[float] = field(default_factory=deque)
    # Group members' statuses by user id ("creator", "administrator", "left"); others "member".
    members: dict[int, str] = field(default_factory=dict)

    def as_chat(self) -> dict[str, Any]:
        """The `Chat` object as embedded in messages."""
        if self.type == "private":
            assert self.user is not None
            d: dict[str, Any] = {"id": self.id, "first_name": self.user["first_name"]}
            if self.user.get("last_name"):
                d["last_name"] = self.user["last_name"]
            if self.user.get("username"):
                d["username"] = self.user["username"]
            d["type"] = "private"
            return d
        d = {"id": self.id, "title": self.title, "type": self.type}
        if self.username:
            d["username"] = self.username
        return d

    @property
    def own_numbering(self) -> bool:
        """Supergroups and channels number their messages themselves; private chats and basic
        groups take the bot account's numbers, shared by all of them (FakeTelegram)."""
        return self.type in ("supergroup", "channel")
