"""Telegram's HTML parse_mode: text + entities (UTF-16 offsets), or the error Telegram gives.

Modelled on TDLib's parse_html: only the documented tags and the four named entities plus
numeric ones; anything else is "can't parse entities". Stricter than Telegram in one way:
a bare '&' that does not start an entity is rejected (it usually means unescaped user input).
"""

from __future__ import annotations

import re
from typing import Any

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALLOWED = set(_SIMPLE) | {"a", "span", "blockquote", "tg-emoji"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG_NAME = re.compile(r"[^\s>/]*")
_ATTR = re.compile(r"\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_END_TAG = re.compile(r"</([^\s>]*)\s*>")
_WS = " \t\n\r\x0b\x0c\u00a0\u2028\u2029"


class HtmlError(ValueError):
    """Raised with Telegram's wording after "can't parse entities: "."""


def u16len(s: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(src: str, i: int) -> int:
    return len(src[:i].encode("utf-8"))


def _unescape(src: str, start: int, value: str) -> str:
    def rep(m: re.Match[str]) -> str:
        return _decode(m)

    if "&" not in value:
        return value
    out = _ENTITY.sub(rep, value)
    if "&" in _ENTITY.sub("", value):
        raise HtmlError(f"Character entity expected at byte offset {_byte_offset(src, start)}")
    return out


def _decode(m: re.Match[str]) -> str:
    if m.group(1):
        return _NAMED[m.group(1)]
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain_text, entities) like Telegram, before whitespace trimming."""
    if "<" not in src and "&" not in src:
        return src, []
    out: list[str] = []
    pos = 0  # UTF-16 offset into the output
    stack: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(src)
    while i < n:
        m = _SPECIAL.search(src, i)
        j = m.start() if m else n
        if j > i:
            chunk = src[i:j]
            out.append(chunk)
            pos += u16len(chunk)
        if m is None:
            break
        i = j
        if src[i] == "&":
            em = _ENTITY.match(src, i)
            if em is None:
                raise HtmlError(f"Character entity expected at byte offset {_byte_offset(src, i)}")
            ch = _decode(em)
            out.append(ch)
            pos += u16len(ch)
            i = em.end()
            continue
        if src.startswith("</", i):
            em = _END_TAG.match(src, i)
            if em is None:
                raise HtmlError(f"Unclosed end tag at byte offset {_byte_offset(src, i)}")
            name = em.group(1).lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
            open_name, start, ent = stack.pop()
            if name != open_name:
                raise HtmlError(
                    f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            if ent and pos > start:
                ent["offset"] = start
                ent["length"] = pos - start
                entities.append(ent)
            i = em.end()
            continue
        i = _open_tag(src, i, pos, stack)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    _merge_pre_code(entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(src: str, i: int, pos: int, stack: list[tuple[str, int, dict[str, Any]]]) -> int:
    begin = i
    nm = _TAG_NAME.match(src, i + 1)
    assert nm is not None
    name = nm.group(0).lower()
    if name not in _ALLOWED:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
    i = nm.end()
    attrs: dict[str, str] = {}
    while True:
        am = _ATTR.match(src, i)
        if am is None or am.end() == i:
            break
        raw = am.group(2)
        val = ""
        if raw is not None:
            val = raw[1:-1] if raw[:1] in "\"'" else raw
            val = _unescape(src, am.start(2), val)
        attrs[am.group(1).lower()] = val
        i = am.end()
    while i < len(src) and src[i] in _WS:
        i += 1
    if i >= len(src) or src[i] != ">":
        raise HtmlError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
    ent: dict[str, Any] = {}
    if name in _SIMPLE:
        ent = {"type": _SIMPLE[name]}
        if name == "code" and "class" in attrs and attrs["class"].startswith("language-"):
            ent["language"] = attrs["class"][9:]
    elif name == "a":
        url = attrs.get("href", "")
        if url.startswith("tg://user?id=") and url[13:].isdigit():
            ent = {"type": "text_mention", "user": {"id": int(url[13:])}}
        elif url:
            ent = {"type": "text_link", "url": url}
    elif name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}'
            )
        ent = {"type": "spoiler"}
    elif name == "blockquote":
        ent = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    elif name == "tg-emoji":
        if not attrs.get("emoji-id"):
            raise HtmlError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{_byte_offset(src, begin)}"
            )
        ent = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    stack.append((name, pos, ent))
    return i + 1


def _merge_pre_code(entities: list[dict[str, Any]]) -> None:
    """<pre><code class="language-x"> becomes one pre entity with a language, like Telegram."""
    pres = {(e["offset"], e["length"]): e for e in entities if e["type"] == "pre"}
    if not pres:
        return
    for e in list(entities):
        if e["type"] == "code":
            pre = pres.get((e["offset"], e["length"]))
            if pre is not None:
                if "language" in e:
                    pre["language"] = e["language"]
                entities.remove(e)
    for e in entities:
        if e["type"] == "code":
            e.pop("language", None)


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading/trailing whitespace of message texts; shift entities to match."""
    stripped = text.strip(_WS)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = u16len(text[: len(text) - len(text.lstrip(_WS))])
    total = u16len(stripped)
    out = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


def render_plain(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Parse according to parse_mode (HTML fully; Markdown kinds passed through)."""
    if parse_mode is None or parse_mode == "":
        return trim(text, [])
    mode = parse_mode.lower()
    if mode == "html":
        plain, ents = parse_html(text)
        return trim(plain, ents)
    if mode in ("markdown", "markdownv2"):
        return trim(text, [])
    raise HtmlError(f"Unsupported parse_mode {parse_mode!r}")
