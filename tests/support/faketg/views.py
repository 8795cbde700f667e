"""Read-only views of stored messages for test assertions (live: edits show through)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import ChatState

if TYPE_CHECKING:
    from .core import FakeTelegram


class MessageView:
    """A message as the chat shows it now; `.raw` is the Telegram Message dict."""

    def __init__(self, fake: FakeTelegram, chat: ChatState, raw: dict[str, Any]) -> None:
        self._fake = fake
        self._chat = chat
        self.raw = raw

    def __repr__(self) -> str:
        return f"<MessageView #{self.message_id} {self.text[:60]!r} buttons={self.buttons}>"

    @property
    def message_id(self) -> int:
        """Per-chat message id."""
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        """Id of the chat the message is in."""
        return self._chat.id

    @property
    def text(self) -> str:
        """Plain text after HTML parsing (the caption for media messages)."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def caption(self) -> str | None:
        """Plain caption of a photo/document, None for text messages."""
        return self.raw.get("caption")

    @property
    def entities(self) -> list[dict[str, Any]]:
        """Entities of the text or caption (UTF-16 offsets)."""
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def html(self) -> str:
        """The text/caption exactly as the bot sent it (before parsing)."""
        extra = self._chat.extra.get(self.message_id, {})
        return str(extra.get("html", self.text))

    @property
    def parse_mode(self) -> str | None:
        """parse_mode the bot used for the current text/caption."""
        return self._chat.extra.get(self.message_id, {}).get("parse_mode")

    @property
    def _keyboard(self) -> list[list[dict[str, Any]]]:
        rm = self.raw.get("reply_markup") or {}
        return list(rm.get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[list[str]]:
        """Inline keyboard labels, row by row."""
        return [[b["text"] for b in row] for row in self._keyboard]

    @property
    def button_urls(self) -> dict[str, str]:
        """label -> url of URL buttons."""
        return {b["text"]: b["url"] for row in self._keyboard for b in row if "url" in b}

    @property
    def callback_data(self) -> dict[str, str]:
        """label -> callback_data of callback buttons."""
        return {
            b["text"]: b["callback_data"]
            for row in self._keyboard
            for b in row
            if "callback_data" in b
        }

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of a ReplyKeyboardMarkup sent with the message (Telegram does not echo it)."""
        rk = self._chat.extra.get(self.message_id, {}).get("reply_keyboard")
        if not rk or "keyboard" not in rk:
            return None
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in rk["keyboard"]]

    def _file_bytes(self) -> bytes | None:
        fid = self._chat.extra.get(self.message_id, {}).get("file_id")
        f = self._fake.files.get(fid) if fid else None
        return f.data if f else None

    @property
    def photo(self) -> bytes | None:
        """Bytes of the photo (largest size), None if not a photo."""
        return self._file_bytes() if "photo" in self.raw else None

    @property
    def document(self) -> tuple[bytes, str] | None:
        """(bytes, filename) of a document, None if not a document."""
        if "document" not in self.raw:
            return None
        return self._file_bytes() or b"", str(self.raw["document"].get("file_name", ""))

    @property
    def deleted(self) -> bool:
        """Whether the bot deleted it since."""
        return self._chat.messages.get(self.message_id) is not self.raw

    @property
    def edited(self) -> bool:
        """Whether it has been edited."""
        return "edit_date" in self.raw

    @property
    def from_bot(self) -> bool:
        """Sent by the bot (rather than a user)."""
        return bool(self.raw["from"]["id"] == self._fake.bot["id"])


class ChatReader:
    """Shared reading API of users (their private chat) and groups."""

    fake: FakeTelegram
    chat: ChatState

    @property
    def chat_id(self) -> int:
        """Telegram chat id."""
        return self.chat.id

    @property
    def messages(self) -> list[MessageView]:
        """The bot's messages in this chat, current state, oldest first."""
        with self.fake.lock:
            bot_id = self.fake.bot["id"]
            msgs = [m for m in self.chat.messages.values() if m["from"]["id"] == bot_id]
        return [MessageView(self.fake, self.chat, m) for m in msgs]

    @property
    def all_messages(self) -> list[MessageView]:
        """Every message in the chat (user's too), oldest first."""
        with self.fake.lock:
            msgs = list(self.chat.messages.values())
        return [MessageView(self.fake, self.chat, m) for m in msgs]

    @property
    def last(self) -> MessageView:
        """The newest bot message; AssertionError if the bot never wrote here."""
        msgs = self.messages
        if not msgs:
            raise AssertionError(f"the bot has no messages in chat {self.chat.id}")
        return msgs[-1]

    def mark(self) -> int:
        """A position for new_messages_since (the newest message id of this chat)."""
        with self.fake.lock:
            return self.chat.last_id

    def new_messages_since(self, mark: int) -> list[MessageView]:
        """Bot messages sent after `mark` (still present)."""
        return [m for m in self.messages if m.message_id > mark]
