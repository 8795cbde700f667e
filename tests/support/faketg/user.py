"""Users and groups that drive the bot with real Update dicts, like a Telegram client would.

FakeUser feeds updates straight into `application.process_update`; RemoteUser queues them for
getUpdates (HTTP mode) and waits for the bot's reaction.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from telegram import Update

from .html import u16len
from .model import ChatState
from .views import ChatReader, MessageView

if TYPE_CHECKING:
    from telegram.ext import Application

    from .core import FakeTelegram


async def side_calls_done(app: object) -> None:
    """A person looks a moment later: by then the calls the bot started without waiting for
    them (callback answers, deletions: its `runtime.side_calls`) have reached Telegram."""
    side_calls = getattr(getattr(app, "runtime", None), "side_calls", None)
    if side_calls is not None:
        await side_calls.settle()


MEMBER_STATUSES = ("creator", "administrator", "member", "left")
# Telegram's stand-in sender of an anonymous group administrator's messages.
ANONYMOUS_ADMIN: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class FakeGroup(ChatReader):
    """A group/supergroup; `messages` are the bot's messages there."""

    def __init__(self, fake: FakeTelegram, chat: ChatState) -> None:
        self.fake = fake
        self.chat = chat

    @property
    def id(self) -> int:
        """Chat id (negative)."""
        return self.chat.id

    @property
    def title(self) -> str:
        """Group title."""
        return self.chat.title or ""

    def set_status(self, user: BaseUser, status: str) -> None:
        """What getChatMember answers for `user` here: creator, administrator, member, left."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unsupported member status {status!r}")
        with self.fake.lock:
            self.chat.members[user.id] = status


class BaseUser(ChatReader):
    """A Telegram user in a private chat with the bot; subclasses decide how updates arrive."""

    def __init__(self, fake: FakeTelegram, user: dict[str, Any]) -> None:
        self.fake = fake
        self.user = user
        self.id: int = user["id"]
        self.chat = fake.chats[self.id]
        self.last_update: dict[str, Any] | None = None
        self.last_answer: dict[str, Any] | None = None
        self.answers: list[dict[str, Any]] = []  # every callback answer, in arrival order

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.user['first_name']!r}>"

    async def _deliver(self, update: dict[str, Any], chat_id: int | None, expect: str) -> None:
        raise NotImplementedError

    # -- sending -----------------------------------------------------------------------
    def _chat_of(self, chat: FakeGroup | None) -> ChatState:
        target = chat.chat if chat is not None else self.chat
        if target.type == "private":
            target.started = True
            target.blocked = False
        return target

    async def _send_fields(
        self,
        fields: dict[str, Any],
        chat: FakeGroup | None,
        expect: bool,
        sender: dict[str, Any] | None = None,
    ) -> list[MessageView]:
        target = self._chat_of(chat)
        mark = _Reader(self.fake, target).mark()
        msg = self.fake.add_message(target, sender or self.user, fields)
        update = {"update_id": self.fake.next_update_id(), "message": dict(msg)}
        await self._deliver(update, target.id, "reply" if expect else "none")
        return _Reader(self.fake, target).new_messages_since(mark)

    async def send(
        self,
        text: str,
        chat: FakeGroup | None = None,
        expect_reply: bool = True,
        forward_origin: dict[str, Any] | None = None,
        anonymous: bool = False,
    ) -> list[MessageView]:
        """Send a text message (a leading /command gets a bot_command entity); with
        `forward_origin` it arrives forwarded, as Telegram marks it. `anonymous` sends in a
        group as an anonymous administrator does: from GroupAnonymousBot, sender_chat the group."""
        fields: dict[str, Any] = {"text": text}
        sender = None
        if anonymous:
            if chat is None:
                raise ValueError("only group messages can be sent anonymously")
            fields["sender_chat"] = chat.chat.as_chat()
            sender = dict(ANONYMOUS_ADMIN)
        if forward_origin is not None:
            fields["forward_origin"] = forward_origin
        if text.startswith("/") and len(text) > 1:
            cmd = text.split(maxsplit=1)[0]
            fields["entities"] = [{"offset": 0, "length": u16len(cmd), "type": "bot_command"}]
        return await self._send_fields(fields, chat, expect_reply, sender)

    async def command(
        self, name: str, payload: str | None = None, chat: FakeGroup | None = None
    ) -> list[MessageView]:
        """Send /name [payload]; in groups as /name@bot like Telegram clients do."""
        cmd = f"/{name}" if chat is None else f"/{name}@{self.fake.bot['username']}"
        return await self.send(f"{cmd} {payload}" if payload else cmd, chat=chat)

    async def start(self, payload: str | None = None) -> list[MessageView]:
        """/start, optionally with a deep-link payload."""
        return await self.command("start", payload)

    async def send_sticker(self, chat: FakeGroup | None = None) -> list[MessageView]:
        """Send a sticker message."""
        n = self.fake.next_update_id()
        sticker = {
            "file_id": f"CAACAgIAAxkBAAIsticker{n}",
            "file_unique_id": f"AgADsticker{n}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self._send_fields({"sticker": sticker}, chat, True)

    async def send_photo(
        self, caption: str | None = None, chat: FakeGroup | None = None
    ) -> list[MessageView]:
        """Send a (1x1 PNG) photo, optionally captioned."""
        from .model import Upload

        with self.fake.lock:
            f = self.fake.store_file(Upload(_PNG_1PX, "photo.png", "image/png"), "photo")
        size = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": f.size}
        fields: dict[str, Any] = {"photo": [{**size, "width": 1, "height": 1}]}
        if caption:
            fields["caption"] = caption
        return await self._send_fields(fields, chat, True)

    async def send_document(
        self, data: bytes, filename: str, caption: str | None = None
    ) -> list[MessageView]:
        """Send a file as a document (as Telegram delivers it: file_id, name, size)."""
        from .model import Upload

        with self.fake.lock:
            f = self.fake.store_file(Upload(data, filename, "text/plain"), "document")
        document = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_name": filename,
            "mime_type": "text/plain",
            "file_size": f.size,
        }
        fields: dict[str, Any] = {"document": document}
        if caption:
            fields["caption"] = caption
        return await self._send_fields(fields, None, True)

    async def send_contact(self, phone: str = "+491701234567") -> list[MessageView]:
        """Share the user's own contact."""
        contact = {"phone_number": phone, "first_name": self.user["first_name"], "user_id": self.id}
        return await self._send_fields({"contact": contact}, None, True)

    # -- buttons -----------------------------------------------------------------------
    def _keyboard_message(self, message: MessageView | None) -> MessageView:
        if message is not None:
            return message
        for m in reversed(self.messages):
            if m.buttons:
                return m
        raise AssertionError(f"no bot message with an inline keyboard in chat {self.chat.id}")

    @staticmethod
    def _find_button(msg: MessageView, label: str) -> dict[str, Any]:
        rm = msg.raw.get("reply_markup") or {}
        buttons: list[dict[str, Any]] = [b for row in rm.get("inline_keyboard", []) for b in row]
        found = next((b for b in buttons if b["text"] == label), None)
        found = found or next((b for b in buttons if label in b["text"]), None)
        if found is None:
            labels = [b["text"] for b in buttons]
            raise AssertionError(f"no button {label!r} on message #{msg.message_id}; have {labels}")
        return found

    async def press(self, label: str, message: MessageView | None = None) -> str | None:
        """Press an inline button by label (exact, else substring); URL buttons return the URL."""
        msg = self._keyboard_message(message)
        found = self._find_button(msg, label)
        if "url" in found:
            return str(found["url"])
        if "callback_data" not in found:
            raise AssertionError(f"button {label!r} is neither a callback nor a URL button")
        await self.press_data(found["callback_data"], msg)
        return None

    def _callback_update(self, data: str, msg: MessageView) -> dict[str, Any]:
        qid = self.fake.next_query_id()
        with self.fake.lock:
            self.fake.callback_queries[qid] = {"answered": False, "user_id": self.id, "data": data}
            current = dict(msg.raw)
        query = {
            "id": qid,
            "from": self.user,
            "message": current,
            "chat_instance": str(abs(hash((self.id, msg.chat_id)))),
            "data": data,
        }
        return {"update_id": self.fake.next_update_id(), "callback_query": query}

    async def press_data(self, data: str, message: MessageView) -> None:
        """Send a callback query with arbitrary data for `message` (forged-data tests)."""
        await self._deliver_callback(self._callback_update(data, message))

    async def _deliver_callback(self, update: dict[str, Any]) -> None:
        qid = update["callback_query"]["id"]
        await self._deliver(update, update["callback_query"]["message"]["chat"]["id"], "answer")
        q = await self._await_answer(self.fake.callback_queries, qid)
        if q is None:
            data = update["callback_query"]["data"]
            self.fake.violation(f"callback query not answered (data={data!r}, user {self.id})")
        else:
            self.last_answer = q["answer"]
            self.answers.append(q["answer"])

    async def _await_answer(self, table: dict[str, Any], qid: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.fake.callback_answer_timeout
        spins = 0
        while True:
            with self.fake.lock:
                q = table.get(qid)
                if q and q["answered"]:
                    return dict(q)
            if time.monotonic() > deadline:
                return None
            spins += 1
            await asyncio.sleep(0 if spins < 20 else 0.01)

    async def double_tap(self, label: str, message: MessageView | None = None) -> None:
        """Two callback updates for the same button, processed concurrently."""
        msg = self._keyboard_message(message)
        data = self._find_button(msg, label).get("callback_data")
        if data is None:
            raise AssertionError(f"button {label!r} is not a callback button")
        u1, u2 = self._callback_update(data, msg), self._callback_update(data, msg)
        await asyncio.gather(self._deliver_callback(u1), self._deliver_callback(u2))

    async def inline_query(self, query: str) -> list[dict[str, Any]]:
        """Type '@bot query'; returns the results of the bot's answerInlineQuery."""
        qid = self.fake.next_query_id()
        with self.fake.lock:
            self.fake.inline_queries[qid] = {"answered": False, "user_id": self.id}
        iq = {"id": qid, "from": self.user, "query": query, "offset": "", "chat_type": "sender"}
        await self._deliver(
            {"update_id": self.fake.next_update_id(), "inline_query": iq}, None, "inline"
        )
        q = await self._await_answer(self.fake.inline_queries, qid)
        if q is None:
            self.fake.violation(f"inline query {query!r} not answered")
            return []
        return list(q["answer"]["results"])

    async def redeliver(self) -> None:
        """Feed the last update again, unchanged (Telegram redelivers after a failure)."""
        assert self.last_update is not None, "nothing delivered yet"
        await self._deliver(self.last_update, None, "none")

    async def block_bot(self) -> None:
        """The user blocks the bot: later sends get 403, and Telegram tells the bot at once
        with a my_chat_member update whose new status is `kicked`."""
        self.fake.block_bot(self.id)
        bot = dict(self.fake.bot)
        member = {
            "chat": self.fake.chats[self.id].as_chat(),
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        }
        await self._deliver(
            {"update_id": self.fake.next_update_id(), "my_chat_member": member}, None, "none"
        )

    async def add_bot_to(self, group: FakeGroup) -> None:
        """my_chat_member then the new_chat_members service message, as Telegram sends."""
        bot = dict(self.fake.bot)
        with self.fake.lock:
            group.chat.bot_member = True
        member = {
            "chat": group.chat.as_chat(),
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "left"},
            "new_chat_member": {"user": bot, "status": "member"},
        }
        await self._deliver(
            {"update_id": self.fake.next_update_id(), "my_chat_member": member}, group.id, "none"
        )
        await self._send_fields({"new_chat_members": [bot]}, group, False)

    async def remove_bot_from(self, group: FakeGroup, kicked: bool = False) -> None:
        """A my_chat_member update: the bot left (or, `kicked`, was banned from) the group."""
        bot = dict(self.fake.bot)
        with self.fake.lock:
            group.chat.bot_member = False
        new: dict[str, Any] = {"user": bot, "status": "left"}
        if kicked:
            new = {"user": bot, "status": "kicked", "until_date": 0}
        member = {
            "chat": group.chat.as_chat(),
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": new,
        }
        await self._deliver(
            {"update_id": self.fake.next_update_id(), "my_chat_member": member}, group.id, "none"
        )


class _Reader(ChatReader):
    def __init__(self, fake: FakeTelegram, chat: ChatState) -> None:
        self.fake = fake
        self.chat = chat


class FakeUser(BaseUser):
    """Delivers updates in-process via `application.process_update`."""

    def __init__(
        self,
        fake: FakeTelegram,
        app: Application[Any, Any, Any, Any, Any, Any],
        user: dict[str, Any],
    ) -> None:
        super().__init__(fake, user)
        self.app = app

    async def _deliver(self, update: dict[str, Any], chat_id: int | None, expect: str) -> None:
        self.last_update = update
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await side_calls_done(self.app)
