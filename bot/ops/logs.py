"""Logging that cannot leak the token or a signer's personal data.

PTB's HTTP client logs request URLs (which contain the token) and, at DEBUG, whole API
payloads (which contain names). So third-party loggers are capped at WARNING whatever
LOG_LEVEL says, and every record is scrubbed of the token before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from bot.config import TOKEN_PATTERN

_THIRD_PARTY = (
    "aiohttp",
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "tornado",
    "aiosqlite",
    "asyncio",
)
_TOKEN_LIKE = re.compile(TOKEN_PATTERN)


def redact(text: str, secrets: list[str]) -> str:
    """The text with each secret, and anything shaped like a bot token, replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
            # The part after the colon is the secret half; it may appear on its own.
            _, _, tail = secret.partition(":")
            if len(tail) >= 20:
                text = text.replace(tail, "[redacted]")
    return _TOKEN_LIKE.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    """Replaces the token (and anything shaped like a token) in the final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage(), self._secrets)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks may quote URLs; render them now so they pass through the scrubber too.
            text = logging.Formatter().formatException(record.exc_info)
            message = f"{message}\n{redact(text, self._secrets)}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for a journal or log shipper to parse.

    It formats what RedactingFilter left: the message already carries any traceback,
    scrubbed, so nothing reaches the line unredacted.
    """

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    level: str, secrets: list[str], stream: object = None, fmt: str = "text"
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _THIRD_PARTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
