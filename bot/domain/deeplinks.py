"""Deep-link payloads: `<campaign slug>` or `<campaign slug>_<source code>`, and
`<campaign slug>__list` for the public signatory list (a group's button to it).

Telegram allows 1-64 characters of A-Z, a-z, 0-9, _ and -; slugs never contain `_`, so it
separates the source unambiguously, and a source code never starts with `_`.
"""

from __future__ import annotations

import re

from bot.domain.campaigns import SLUG_RE

SOURCE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def encode(slug: str, source: str | None = None) -> str:
    payload = f"{slug}_{source}" if source else slug
    if decode(payload) != (slug, source):
        raise ValueError("invalid deep-link parts")
    return payload


def decode(payload: str) -> tuple[str, str | None] | None:
    """(slug, source) or None when the payload is not one of ours."""
    if not _PAYLOAD_RE.match(payload):
        return None
    slug, _, source = payload.partition("_")
    slug = slug.lower()  # people retype links in capitals; source codes stay case-sensitive
    if not SLUG_RE.match(slug):
        return None
    if source and not SOURCE_RE.match(source):
        return None
    return slug, source or None


def link(bot_username: str, slug: str, source: str | None = None) -> str:
    return f"https://t.me/{bot_username}?start={encode(slug, source)}"


_LIST_SUFFIX = "__list"


def list_link(bot_username: str, slug: str) -> str:
    """Opens the campaign's public signatory list in the private chat."""
    if not SLUG_RE.match(slug):
        raise ValueError("invalid slug")
    return f"https://t.me/{bot_username}?start={slug}{_LIST_SUFFIX}"


def list_slug(payload: str) -> str | None:
    """The slug of a signatory-list payload, or None when the payload is not one."""
    slug = payload.removesuffix(_LIST_SUFFIX).lower()
    if slug == payload.lower() or not _PAYLOAD_RE.match(payload) or not SLUG_RE.match(slug):
        return None
    return slug
