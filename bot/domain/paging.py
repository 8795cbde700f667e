"""Splitting long texts into pages that fit one Telegram message.

Telegram counts message length in UTF-16 code units after entities are parsed, so this does too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PAGE_BUDGET = 3600  # leaves room for the title and the "page x / y" line within 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _split_long(paragraph: str, budget: int) -> list[str]:
    """A paragraph longer than a page breaks at sentence ends, else at spaces, else hard."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(paragraph):
        for word in [sentence] if utf16_len(sentence) <= budget else sentence.split(" "):
            while utf16_len(word) > budget:
                head, word = word[: budget // 2], word[budget // 2 :]
                if current:
                    pieces.append(current)
                    current = ""
                pieces.append(head)
            joiner = " " if current else ""
            if utf16_len(current) + utf16_len(joiner + word) > budget:
                pieces.append(current)
                current = word
            else:
                current += joiner + word
    if current:
        pieces.append(current)
    return pieces


def paginate(paragraphs: Sequence[str], budget: int = PAGE_BUDGET) -> list[str]:
    """Joins paragraphs into pages on paragraph boundaries, each within `budget`."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        for piece in (
            _split_long(paragraph, budget) if utf16_len(paragraph) > budget else [paragraph]
        ):
            extra = utf16_len(piece) + (2 if current else 0)
            if current and size + extra > budget:
                pages.append("\n\n".join(current))
                current, size = [], 0
                extra = utf16_len(piece)
            current.append(piece)
            size += extra
    if current:
        pages.append("\n\n".join(current))
    return pages or [""]


def paginate_items(
    items: Sequence[str], budget: int = PAGE_BUDGET, max_items: int = 25
) -> list[list[str]]:
    """Groups list items (addressees) into pages by size and count."""
    pages: list[list[str]] = [[]]
    size = 0
    for item in items:
        extra = utf16_len(item) + 4
        if pages[-1] and (size + extra > budget or len(pages[-1]) >= max_items):
            pages.append([])
            size = 0
        pages[-1].append(item)
        size += extra
    return pages
