"""Handlers for bot-settings, chat-info and update methods, plus the HANDLERS registry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import messages
from .limits import COMMANDS_MAX, DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX, check_length
from .model import ApiError, bad_request

if TYPE_CHECKING:
    from .core import FakeTelegram


def _scope_key(p: dict[str, Any]) -> str:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (p.get("language_code") or "")


def get_me(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getMe: the bot's User object."""
    return dict(fake.bot)


def set_my_commands(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """setMyCommands: ≤100 commands (each checked by the BotCommand hook)."""
    if len(p["commands"]) > COMMANDS_MAX:
        raise bad_request(f"BOT_COMMANDS_TOO_MUCH ({len(p['commands'])} > {COMMANDS_MAX})")
    fake.commands[_scope_key(p)] = list(p["commands"])
    return True


def get_my_commands(fake: FakeTelegram, p: dict[str, Any]) -> list[dict[str, Any]]:
    """getMyCommands: what was set for this scope and language."""
    return list(fake.commands.get(_scope_key(p), []))


def delete_my_commands(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """deleteMyCommands: forget this scope and language."""
    fake.commands.pop(_scope_key(p), None)
    return True


def _text_setting(key: str, limit: int, error: str) -> tuple[Any, Any]:
    def setter(fake: FakeTelegram, p: dict[str, Any]) -> bool:
        check_length(p.get(key), limit, error)
        fake.bot_texts[key + "|" + (p.get("language_code") or "")] = p.get(key) or ""
        return True

    def getter(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, str]:
        return {key: fake.bot_texts.get(key + "|" + (p.get("language_code") or ""), "")}

    return setter, getter


set_desc, get_desc = _text_setting("description", DESCRIPTION_MAX, "BOT_DESCRIPTION_INVALID")
set_short, get_short = _text_setting(
    "short_description", SHORT_DESCRIPTION_MAX, "BOT_SHORT_DESCRIPTION_INVALID"
)
set_name, get_name = _text_setting("name", 64, "BOT_NAME_INVALID")


def set_chat_menu_button(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """setChatMenuButton: per chat or default."""
    fake.menu_buttons[str(p.get("chat_id", ""))] = p.get("menu_button") or {"type": "default"}
    return True


def get_chat_menu_button(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getChatMenuButton: stored button or Telegram's default."""
    return dict(fake.menu_buttons.get(str(p.get("chat_id", "")), {"type": "default"}))


def get_chat(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getChat: a ChatFullInfo with the always-present fields."""
    chat = fake.find_chat(p["chat_id"])
    info = chat.as_chat()
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    )
    return info


def get_chat_member(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getChatMember: the bot's or a known user's membership."""
    chat = fake.find_chat(p["chat_id"])
    uid = p["user_id"]
    if uid == fake.bot["id"]:
        status = "member" if chat.type == "private" or chat.bot_member else "left"
        return {"user": dict(fake.bot), "status": status}
    user = fake.users.get(uid)
    if user is None or (chat.type == "private" and chat.id != uid):
        raise bad_request("user not found", violation=False)
    status = chat.members.get(uid, "member")
    member: dict[str, Any] = {"user": dict(user), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(ADMIN_RIGHTS)
    # The reply is checked against the spec too: PTB would choke on a malformed ChatMember.
    err = fake.spec.type_validator("ChatMember")(member, "result")
    if err is not None:
        fake.violation(f"faketg getChatMember reply: {err}")
    return member


# An ordinary group administrator's rights, as Telegram reports them (all required fields).
ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def leave_chat(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """leaveChat: the bot stops being a member of the group."""
    chat = fake.find_chat(p["chat_id"])
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_member:
        raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
    chat.bot_member = False
    return True


def get_updates(fake: FakeTelegram, p: dict[str, Any]) -> list[dict[str, Any]]:
    """getUpdates: offset confirms earlier updates; limit 1-100; allowed_updates persists."""
    if fake.webhook:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    allowed = p.get("allowed_updates")
    if allowed is not None:
        from .updates import DEFAULT_ALLOWED

        fake.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED
    offset = p.get("offset")
    if offset is not None:
        if offset < 0:
            fake.updates = fake.updates[offset:]
        else:
            fake.updates = [u for u in fake.updates if u["update_id"] >= offset]
    fake.updates = [
        u for u in fake.updates if next(k for k in u if k != "update_id") in fake.allowed_updates
    ]
    limit = min(max(p.get("limit") or 100, 1), 100)
    out = fake.updates[:limit]
    fake.delivered.update(u["update_id"] for u in out)
    return out


def set_webhook(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """setWebhook: remembered; getUpdates then answers 409 like Telegram."""
    url = p["url"]
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    fake.webhook = {"url": url, **{k: v for k, v in p.items() if k != "url"}} if url else None
    return True


def delete_webhook(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """deleteWebhook: optionally drops pending updates."""
    fake.webhook = None
    if p.get("drop_pending_updates"):
        fake.updates.clear()
    return True


def get_webhook_info(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getWebhookInfo: url is '' when polling."""
    return {
        "url": (fake.webhook or {}).get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(fake.updates),
    }


def get_file(fake: FakeTelegram, p: dict[str, Any]) -> dict[str, Any]:
    """getFile: file_path for /file/bot<token>/<path> downloads."""
    f = fake.files.get(p["file_id"])
    if f is None:
        raise bad_request("invalid file_id", violation=False)
    return {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "file_size": f.size,
        "file_path": f.file_path,
    }


def send_chat_action(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    """sendChatAction: needs a chat the bot may write to."""
    fake.chat_for_send(p["chat_id"])
    return True


def _true(fake: FakeTelegram, p: dict[str, Any]) -> bool:
    return True


HANDLERS: dict[str, Any] = {
    **messages.HANDLERS,
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_desc,
    "getMyDescription": get_desc,
    "setMyShortDescription": set_short,
    "getMyShortDescription": get_short,
    "setMyName": set_name,
    "getMyName": get_name,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "leaveChat": leave_chat,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getFile": get_file,
    "sendChatAction": send_chat_action,
    "close": _true,
    "logOut": _true,
}
