"""FakeTelegram: the state and call pipeline of the fake Bot API.

Every call goes through `call_async` (used by FakeRequest in-process and by the HTTP server):
faults -> spec validation -> method handler -> recorded `Call`. All state changes happen
under one re-entrant lock so the HTTP server thread and the test thread can share it.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .limits import spec_hooks
from .model import (
    ApiError,
    Call,
    ChatState,
    Faults,
    FaultTimeout,
    StoredFile,
    Upload,
    bad_request,
    norm_chat_id,
)
from .spec import Spec, load_raw
from .updates import DEFAULT_ALLOWED, UpdateQueue

if TYPE_CHECKING:
    from telegram.ext import Application

    from .http import RemoteUser
    from .request import FakeRequest
    from .user import FakeGroup, FakeUser

BOT_ID = 7000000001
BOT_USERNAME = "PetitionTestBot"


@lru_cache(maxsize=1)
def get_spec() -> Spec:
    """The compiled spec, shared by all fakes (it is immutable)."""
    raw = load_raw()
    return Spec(raw, spec_hooks(raw["types"]))


class FakeTelegram(UpdateQueue):
    """In-memory Telegram: answers Bot API calls like Telegram and records them."""

    def __init__(
        self, *, bot_id: int = BOT_ID, username: str = BOT_USERNAME, token: str | None = None
    ) -> None:
        """One bot's Telegram. With `token`, a call with any other token is answered 401;
        so is every call once `revoked` (its owner revoked it in @BotFather)."""
        self.spec = get_spec()
        self.token = token
        self.revoked = False
        self.bot: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Petition Bot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.faults: Faults | None = None
        self.latency = 0.0  # seconds each call takes, as the round trip to Telegram would
        self.group_limit_per_minute = 20
        self.callback_answer_timeout = 1.0
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.bot_texts: dict[str, str] = {}
        self.menu_buttons: dict[str, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.inline_queries: dict[str, dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self.delivered: set[int] = set()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED
        self.lock = threading.RLock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._next_user_id = 100001
        self._next_group = 1
        self._next_update_id = 1
        self._next_file = 1
        self._next_query = 1
        # Telegram numbers the messages of private chats and basic groups per account, so
        # the ids one chat sees interleave with every other chat's: never consecutive.
        self._next_message_id = 1

    # -- public helpers ------------------------------------------------------------------
    def accepts(self, token: str) -> bool:
        """Whether a call made with `token` reaches this bot (else Telegram answers 401)."""
        return not self.revoked and (self.token is None or token == self.token)

    def meet(self, user: dict[str, Any]) -> None:
        """A person of another bot's Telegram (the same account, the same id) gets a private
        chat with this bot too, not opened yet."""
        with self.lock:
            self.users[user["id"]] = user
            self.chats[user["id"]] = ChatState(user["id"], "private", user=user)

    def request(self) -> FakeRequest:
        """A new PTB BaseRequest bound to this fake (one for requests, one for getUpdates)."""
        from .request import FakeRequest

        return FakeRequest(self)

    def user(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        first_name: str = "Alice",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A Telegram user with a fresh id and a private chat with the bot."""
        from .user import FakeUser

        return FakeUser(self, app, self.new_user(first_name, last_name, username, language_code))

    def remote_user(
        self,
        first_name: str = "Alice",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        timeout: float = 10.0,
    ) -> RemoteUser:
        """A user for HTTP mode: updates go through getUpdates; waits for the bot's reaction."""
        from .http import RemoteUser

        user = self.new_user(first_name, last_name, username, language_code)
        return RemoteUser(self, user, timeout=timeout)

    def group(self, title: str = "Test group", supergroup: bool = True) -> FakeGroup:
        """A group (or supergroup) the bot is not yet a member of."""
        from .user import FakeGroup

        with self.lock:
            n = self._next_group
            self._next_group += 1
            cid = -(1001000000000 + n) if supergroup else -(4000000 + n)
            chat = ChatState(cid, "supergroup" if supergroup else "group", title=title)
            self.chats[cid] = chat
        return FakeGroup(self, chat)

    async def add_bot_to_group(self, group: FakeGroup, by: FakeUser) -> None:
        """User `by` adds the bot: my_chat_member update, then the new_chat_members message."""
        await by.add_bot_to(group)

    def age_messages(self, chat_id: int, seconds: int) -> None:
        """Every message of the chat so far was sent `seconds` earlier (for the 48-hour rule)."""
        with self.lock:
            for msg in self.chats[chat_id].messages.values():
                msg["date"] = int(msg["date"]) - seconds

    def block_bot(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks the bot: sends get 403 'bot was blocked by the user'."""
        with self.lock:
            self.chats[user_id].blocked = blocked

    def assert_no_violations(self) -> None:
        """Fail listing every recorded contract violation."""
        if self.violations:
            lines = "\n  ".join(self.violations)
            raise AssertionError(f"{len(self.violations)} Bot API violation(s):\n  {lines}")

    def calls_to(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls filtered by method and/or (normalised) chat_id."""
        with self.lock:
            calls = list(self.calls)
        want = norm_chat_id(chat_id)
        return [
            c
            for c in calls
            if (method is None or c.method == method) and (chat_id is None or c.chat_id == want)
        ]

    def violation(self, text: str) -> None:
        """Record a contract violation found outside a call (e.g. by user helpers)."""
        with self.lock:
            self.violations.append(text)

    # -- state helpers used by handlers and user helpers ----------------------------------
    def new_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Register a user and its private chat; returns the `User` dict."""
        with self.lock:
            uid = self._next_user_id
            self._next_user_id += 1
            u: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name}
            if last_name:
                u["last_name"] = last_name
            if username:
                u["username"] = username
            if language_code:
                u["language_code"] = language_code
            self.users[uid] = u
            self.chats[uid] = ChatState(uid, "private", user=u)
            return u

    def next_update_id(self) -> int:
        """Update ids increase globally, like Telegram's."""
        with self.lock:
            n = self._next_update_id
            self._next_update_id += 1
            return n

    def next_query_id(self) -> str:
        """Callback/inline query ids: long numeric strings like Telegram's."""
        with self.lock:
            n = self._next_query
            self._next_query += 1
            return str(4_000_000_000_000_000_000 + n)

    def find_chat(self, chat_id: Any) -> ChatState:
        """Chat by id or @username, else Telegram's 'chat not found'."""
        cid = norm_chat_id(chat_id)
        chat = self.chats.get(cid) if isinstance(cid, int) else None
        if chat is None and isinstance(cid, str) and cid.startswith("@"):
            chat = next((c for c in self.chats.values() if c.username == cid[1:]), None)
        if chat is None:
            raise bad_request("chat not found", violation=False)
        return chat

    def chat_for_send(self, chat_id: Any) -> ChatState:
        """Chat the bot may post in, else the 403 Telegram gives."""
        chat = self.find_chat(chat_id)
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif not chat.bot_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def check_group_rate(self, chat: ChatState) -> None:
        """At most `group_limit_per_minute` bot messages per group per minute, else 429."""
        if chat.type == "private":
            return
        now = time.monotonic()
        dq = chat.send_times
        while dq and now - dq[0] >= 60:
            dq.popleft()
        if len(dq) >= self.group_limit_per_minute:
            retry = max(1, math.ceil(60 - (now - dq[0])))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        dq.append(now)

    def add_message(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        fields: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a new message (user's or bot's) with the next id; returns it."""
        with self.lock:
            if chat.own_numbering:
                mid = chat.next_id
                chat.next_id += 1
            else:
                mid = self._next_message_id
                self._next_message_id += 1
            chat.last_id = mid
            msg = {
                "message_id": mid,
                "from": sender,
                "chat": chat.as_chat(),
                "date": int(time.time()),
            }
            msg.update(fields)
            chat.messages[mid] = msg
            if extra:
                chat.extra[mid] = extra
            return msg

    def store_file(self, up: Upload, kind: str) -> StoredFile:
        """Keep an uploaded (or URL-fetched) file; returns its file_id record."""
        n = self._next_file
        self._next_file += 1
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(
            kind, "CAACAgIAAxkBAAI"
        )
        ext = up.filename.rsplit(".", 1)[-1] if "." in up.filename else "bin"
        f = StoredFile(
            file_id=f"{prefix}{n:08d}faketg",
            file_unique_id=f"AQAD{n:08d}",
            data=up.data,
            filename=up.filename,
            mime=up.mime,
            file_path=f"{kind}s/file_{n}.{ext}",
        )
        self.files[f.file_id] = f
        return f

    # -- call pipeline ----------------------------------------------------------------------
    async def call_async(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, Upload] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body). May raise FaultTimeout."""
        if self.latency > 0 and method != "getUpdates":
            await asyncio.sleep(self.latency)
        if self.faults is not None:
            with self.lock:
                kind = self.faults.pick(method)
            if kind is not None:
                return self._fault(kind, method, params, files)
        if method == "getUpdates":
            await self._long_poll(params)
        with self.lock:
            return self.execute(method, params, files)

    def execute(
        self, method: str, params: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Validate, dispatch and record one call (synchronously)."""
        from .methods import HANDLERS

        call = Call(method, params, None, False)
        with self.lock:
            try:
                ms = self.spec.methods.get(method)
                if ms is None:
                    raise ApiError(404, "Not Found", violation=True)
                if files:
                    self._attach(ms.fields, params, files)
                err = self.spec.validate(method, params)
                if err is not None:
                    raise bad_request(err)
                handler = HANDLERS.get(method)
                if handler is not None:
                    result = handler(self, params)
                elif ms.returns_true:
                    result = True
                else:
                    raise bad_request(f"faketg does not implement {method}")
            except ApiError as e:
                if e.violation:
                    self.violations.append(f"{method}: {e.description}")
                body = e.payload()
                call.result, call.error_code, call.description = body, e.code, e.description
                self.calls.append(call)
                return e.code, body
            call.result, call.ok = result, True
            self.calls.append(call)
            return 200, {"ok": True, "result": result}

    @staticmethod
    def _attach(fields: dict[str, Any], params: dict[str, Any], files: dict[str, Upload]) -> None:
        for name, up in files.items():
            if name in fields and params.get(name) is None:
                params[name] = up
        for k, v in params.items():
            if type(v) is str and v.startswith("attach://") and v[9:] in files:
                params[k] = files[v[9:]]

    def _fault(
        self, kind: str, method: str, params: dict[str, Any], files: dict[str, Upload] | None
    ) -> tuple[int, dict[str, Any]]:
        assert self.faults is not None
        with self.lock:
            if kind == "timeout":
                took = self.faults.rng.random() < self.faults.timeout_took_effect
                if took:
                    self.execute(method, params, files)
                    self.calls[-1].fault = "timeout"
                else:
                    self.calls.append(Call(method, params, None, False, fault="timeout"))
                raise FaultTimeout(method, took)
            if kind == "429":
                ra = self.faults.retry_after
                err = ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})
            else:
                err = ApiError(502, "Bad Gateway")
            body = err.payload()
            self.calls.append(
                Call(method, params, body, False, err.code, err.description, fault=kind)
            )
            return err.code, body
