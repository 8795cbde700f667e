"""Handlers for message-producing and -changing methods, answering like Telegram."""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Any

from .limits import (
    CALLBACK_ANSWER_MAX,
    DOCUMENT_MAX,
    PHOTO_MAX,
    check_inline_results,
    check_length,
    parse_text,
)
from .model import ApiError, ChatState, StoredFile, Upload, bad_request

if TYPE_CHECKING:
    from .core import FakeTelegram

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


def _markup(p: dict[str, Any], fields: dict[str, Any], extra: dict[str, Any]) -> None:
    rm = p.get("reply_markup")
    if not rm:
        return
    if "inline_keyboard" in rm:
        fields["reply_markup"] = {"inline_keyboard": rm["inline_keyboard"]}
    else:
        extra["reply_keyboard"] = rm


def _reply(chat: ChatState, p: dict[str, Any], fields: dict[str, Any]) -> None:
    rp = p.get("reply_parameters")
    if not rp:
        return
    target = chat.messages.get(rp["message_id"])
    if target is None:
        if not rp.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found", violation=False)
        return
    fields["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}


def _send(
    fake: FakeTelegram,
    chat: ChatState,
    p: dict[str, Any],
    fields: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    _reply(chat, p, fields)
    _markup(p, fields, extra)
    fake.check_group_rate(chat)
    return dict(fake.add_message(chat, fake.bot, fields, extra))


def send_message(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """sendMessage: parsed text + entities stored and echoed as a Message."""
    chat = fake.chat_for_send(p["chat_id"])
    text, ents = parse_text(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    fields: dict[str, Any] = {"text": text}
    if ents:
        fields["entities"] = ents
    return _send(fake, chat, p, fields, {"html": p["text"], "parse_mode": p.get("parse_mode")})


def _caption(p: dict[str, Any], fields: dict[str, Any], extra: dict[str, Any]) -> None:
    cap = p.get("caption")
    if cap is None:
        return
    text, ents = parse_text(cap, p.get("parse_mode"), p.get("caption_entities"), caption=True)
    if text:
        fields["caption"] = text
        if ents:
            fields["caption_entities"] = ents
    extra["html"] = cap
    extra["parse_mode"] = p.get("parse_mode")


def _file(fake: FakeTelegram, value: Any, kind: str, limit: int) -> StoredFile:
    if isinstance(value, Upload):
        if len(value.data) > limit:
            if kind == "document":
                raise ApiError(413, "Request Entity Too Large", violation=True)
            raise bad_request(f"PHOTO_INVALID ({len(value.data)} bytes > {limit})")
        if kind == "photo" and not value.data.startswith(_IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED (upload is not a PNG/JPEG/GIF/WEBP/BMP)")
        return fake.store_file(value, kind)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or "file"
        return fake.store_file(Upload(b"", name, "application/octet-stream"), kind)
    f = fake.files.get(value) if isinstance(value, str) else None
    if f is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return f


def _image_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    return 800, 800


def send_photo(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """sendPhoto: stores the image; answers with a `photo` list of PhotoSize."""
    chat = fake.chat_for_send(p["chat_id"])
    f = _file(fake, p["photo"], "photo", PHOTO_MAX)
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {"file_id": f.file_id}
    _caption(p, fields, extra)
    w, h = _image_size(f.data)
    sizes = []
    if max(w, h) > 90:
        k = 90 / max(w, h)
        thumb = fake.store_file(Upload(f.data, f.filename, f.mime), "photo")
        sizes.append(_size(thumb, max(1, round(w * k)), max(1, round(h * k))))
    sizes.append(_size(f, w, h))
    fields = {"photo": sizes, **fields}
    return _send(fake, chat, p, fields, extra)


def _size(f: StoredFile, w: int, h: int) -> dict[str, Any]:
    return {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "file_size": f.size,
        "width": w,
        "height": h,
    }


def send_document(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """sendDocument: stores the file; answers with a `document` object."""
    chat = fake.chat_for_send(p["chat_id"])
    f = _file(fake, p["document"], "document", DOCUMENT_MAX)
    doc = {
        "file_name": f.filename,
        "mime_type": f.mime,
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "file_size": f.size,
    }
    fields: dict[str, Any] = {"document": doc}
    extra: dict[str, Any] = {"file_id": f.file_id}
    _caption(p, fields, extra)
    return _send(fake, chat, p, fields, extra)


def _target(fake: FakeTelegram, p: dict[str, Any], action: str) -> tuple[ChatState, dict[str, Any]]:
    if p.get("chat_id") is None or p.get("message_id") is None:
        raise bad_request(f"chat_id and message_id are required to {action} a chat message")
    chat = fake.find_chat(p["chat_id"])
    msg = chat.messages.get(p["message_id"])
    if msg is None:
        raise bad_request(f"message to {action} not found", violation=False)
    if action == "edit" and msg["from"]["id"] != fake.bot["id"]:
        raise bad_request("message can't be edited (it was not sent by the bot)")
    return chat, msg


def _apply_edit(
    chat: ChatState, msg: dict[str, Any], new: dict[str, Any], p: dict[str, Any], src: str | None
) -> dict[str, Any]:
    rm = p.get("reply_markup")
    new["reply_markup"] = {"inline_keyboard": rm["inline_keyboard"]} if rm else None
    if all(msg.get(k) == v for k, v in new.items()):
        raise bad_request(NOT_MODIFIED, violation=False)
    for k, v in new.items():
        if v is None:
            msg.pop(k, None)
        else:
            msg[k] = v
    msg["edit_date"] = int(time.time())
    if src is not None:
        chat.extra.setdefault(msg["message_id"], {}).update(
            html=src, parse_mode=p.get("parse_mode")
        )
    return dict(msg)


def edit_message_text(fake: FakeTelegram, p: dict[str, Any]) -> Any:
    """editMessageText: 'not modified' when text, entities and markup are unchanged."""
    if p.get("inline_message_id"):
        return True
    chat, msg = _target(fake, p, "edit")
    if "text" not in msg:
        raise bad_request("there is no text in the message to edit")
    text, ents = parse_text(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    return _apply_edit(chat, msg, {"text": text, "entities": ents or None}, p, p["text"])


def edit_message_caption(fake: FakeTelegram, p: dict[str, Any]) -> Any:
    """editMessageCaption: only messages with media have a caption."""
    if p.get("inline_message_id"):
        return True
    chat, msg = _target(fake, p, "edit")
    if "text" in msg:
        raise bad_request("there is no caption in the message to edit")
    text, ents = parse_text(
        p.get("caption") or "", p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    new = {"caption": text or None, "caption_entities": ents or None}
    return _apply_edit(chat, msg, new, p, p.get("caption"))


def edit_message_reply_markup(fake: FakeTelegram, p: dict[str, Any]) -> Any:
    """editMessageReplyMarkup: replaces (or removes) the inline keyboard."""
    if p.get("inline_message_id"):
        return True
    chat, msg = _target(fake, p, "edit")
    return _apply_edit(chat, msg, {}, p, None)


# A bot may delete messages in a private chat for 48 hours after they were sent.
DELETE_WINDOW = 48 * 3600


def _deletable(msg: dict[str, Any]) -> bool:
    return time.time() - int(msg["date"]) < DELETE_WINDOW


def delete_message(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """deleteMessage: removes it from the chat history; older than 48 hours, Telegram says
    it can't be deleted."""
    chat, msg = _target(fake, p, "delete")
    if not _deletable(msg):
        raise bad_request("message can't be deleted for everyone", violation=False)
    del chat.messages[msg["message_id"]]
    chat.extra.pop(msg["message_id"], None)
    return True


def delete_messages(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """deleteMessages (1-100 ids): skips missing and too-old ones silently, like Telegram."""
    ids = p["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must hold 1-100 identifiers")
    chat = fake.find_chat(p["chat_id"])
    for mid in ids:
        msg = chat.messages.get(mid)
        if msg is not None and _deletable(msg):
            chat.messages.pop(mid, None)
            chat.extra.pop(mid, None)
    return True


def answer_callback_query(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """answerCallbackQuery: each query id may be answered once."""
    check_length(p.get("text"), CALLBACK_ANSWER_MAX, "MESSAGE_TOO_LONG: callback answer text")
    q = fake.callback_queries.get(p["callback_query_id"])
    if q is None or q["answered"]:
        raise bad_request(QUERY_INVALID, violation=False)
    q["answered"] = True
    q["answer"] = p
    return True


def answer_inline_query(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """answerInlineQuery: ≤50 results with unique 1-64 byte ids; answered once."""
    check_inline_results(p["results"])
    q = fake.inline_queries.get(p["inline_query_id"])
    if q is None or q["answered"]:
        raise bad_request(QUERY_INVALID, violation=False)
    q["answered"] = True
    q["answer"] = p
    return True


HANDLERS: dict[str, Any] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
}
