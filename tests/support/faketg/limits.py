"""Telegram's documented limits, as spec hooks (per type) and helpers (per method).

Each check answers with Telegram's own error text where known, plus a short detail in
parentheses so a failing test says what was wrong.
"""

from __future__ import annotations

import re
from typing import Any

from .html import HtmlError, render_plain, u16len
from .model import ApiError, bad_request

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX = 64
CALLBACK_ANSWER_MAX = 200
INLINE_RESULTS_MAX = 50
COMMANDS_MAX = 100
DESCRIPTION_MAX = 512
SHORT_DESCRIPTION_MAX = 120
DOCUMENT_MAX = 50 * 1024 * 1024
PHOTO_MAX = 10 * 1024 * 1024

_BUTTON_PASSIVE = {"text", "icon_custom_emoji_id", "style"}
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_START_PARAM_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DEEP_LINK_RE = re.compile(
    r"^(?:https?://)?(?:t\.me|telegram\.me)/([A-Za-z0-9_]+)\?(?:.*&)?(start|startgroup)=([^&#]*)"
    r"|^tg://resolve\?(?:.*&)?domain=([A-Za-z0-9_]+)&(?:.*&)?(start|startgroup)=([^&#]*)",
    re.IGNORECASE,
)


def check_url(url: str, where: str) -> str | None:
    """URL buttons must be http(s) or tg://; deep links need a valid start parameter."""
    low = url.lower()
    if not (low.startswith("http://") or low.startswith("https://") or low.startswith("tg://")):
        return f"inline keyboard button URL '{url}' is invalid: unsupported URL protocol ({where})"
    if "start" in low:
        m = _DEEP_LINK_RE.match(url)
        if m:
            param = m.group(3) if m.group(3) is not None else m.group(6)
            if not _START_PARAM_RE.fullmatch(param or ""):
                return (
                    f"deep-link start parameter {param!r} in {url!r} is invalid: Telegram "
                    f"allows 1-64 characters of A-Za-z0-9_- ({where})"
                )
    return None


def _button_hook(b: dict[str, Any], p: str) -> str | None:
    if not b.get("text"):
        return f"BUTTON_TEXT_INVALID ({p}.text is empty)"
    actions = [k for k in b if k not in _BUTTON_PASSIVE and b[k] is not None]
    if not actions:
        return f"text buttons are unallowed in the inline keyboard ({p} has no action field)"
    if len(actions) > 1:
        return f"BUTTON_TYPE_INVALID ({p} has several action fields: {', '.join(actions)})"
    data = b.get("callback_data")
    if data is not None:
        n = len(data.encode("utf-8"))
        if not 1 <= n <= CALLBACK_DATA_MAX:
            return f"BUTTON_DATA_INVALID ({p}.callback_data is {n} bytes; 1-64 allowed)"
    url = b.get("url")
    if url is not None:
        return check_url(url, p + ".url")
    return None


def _bot_command_hook(c: dict[str, Any], p: str) -> str | None:
    if not _COMMAND_RE.fullmatch(c["command"]):
        return f"BOT_COMMAND_INVALID ({p}.command {c['command']!r}: 1-32 of a-z0-9_)"
    if not 1 <= u16len(c["description"]) <= 256:
        return f"BOT_COMMAND_DESCRIPTION_INVALID ({p}.description must be 1-256 characters)"
    return None


def _input_text_hook(c: dict[str, Any], p: str) -> str | None:
    try:
        parse_text(c["message_text"], c.get("parse_mode"), c.get("entities"), caption=False)
    except ApiError as e:
        return e.description.removeprefix("Bad Request: ") + f" ({p}.message_text)"
    return None


def _result_id_hook(r: dict[str, Any], p: str) -> str | None:
    rid = r.get("id")
    if isinstance(rid, str) and not 1 <= len(rid.encode("utf-8")) <= 64:
        return f"RESULT_ID_INVALID ({p}.id must be 1-64 bytes)"
    return None


def spec_hooks(raw_types: dict[str, Any]) -> dict[str, Any]:
    """Hooks for Spec: type name -> extra check run after the structural check."""
    hooks: dict[str, Any] = {
        "InlineKeyboardButton": _button_hook,
        "BotCommand": _bot_command_hook,
        "InputTextMessageContent": _input_text_hook,
    }
    for name in raw_types.get("InlineQueryResult", {}).get("subtypes", []):
        hooks[name] = _result_id_hook
    return hooks


def parse_text(
    text: str, parse_mode: str | None, entities: Any, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text + entities after parsing; raises the 400 Telegram gives for bad input."""
    if parse_mode and parse_mode.lower() not in ("html", "markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    try:
        if entities:
            plain, ents = render_plain(text, None)
            ents = list(entities)
        else:
            plain, ents = render_plain(text, parse_mode)
    except HtmlError as e:
        raise bad_request(f"can't parse entities: {e}") from None
    n = u16len(plain)
    if caption:
        if n > CAPTION_MAX:
            raise bad_request(f"message caption is too long ({n} > {CAPTION_MAX} UTF-16 units)")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if n > TEXT_MAX:
            raise bad_request(f"message is too long ({n} > {TEXT_MAX} UTF-16 units)")
    if entities:
        for ent in ents:
            if ent.get("offset", 0) + ent.get("length", 0) > n:
                raise bad_request("can't parse entities: entity beyond end of text")
    return plain, ents


def check_inline_results(results: list[dict[str, Any]]) -> None:
    """answerInlineQuery: at most 50 results with unique ids."""
    if len(results) > INLINE_RESULTS_MAX:
        raise bad_request(f"RESULTS_TOO_MUCH ({len(results)} > {INLINE_RESULTS_MAX})")
    ids = [r.get("id") for r in results]
    if len(set(ids)) != len(ids):
        raise bad_request("RESULT_ID_DUPLICATE")


def check_length(value: str | None, limit: int, error: str) -> None:
    """Generic 'at most N characters' check (UTF-16 units)."""
    if value is not None and u16len(value) > limit:
        raise bad_request(f"{error} ({u16len(value)} > {limit})")
