"""Logging that cannot leak the token or a signer's personal data.

PTB's HTTP client logs request URLs (which contain the token) and, at DEBUG, whole API
payloads (which contain names). So third-party loggers are capped at WARNING whatever
LOG_LEVEL says, and every record is scrubbed of the token before it is written.
"""

from __future__ import annotations

import logging
import re
import sys

_THIRD_PARTY = ("httpx", "httpcore", "telegram", "apscheduler", "tornado", "aiosqlite", "asyncio")
_TOKEN_LIKE = re.compile(r"\d{3,12}:[A-Za-z0-9_-]{20,64}")


class RedactingFilter(logging.Filter):
    """Replaces the token (and anything shaped like a token) in the final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self._secrets:
            message = message.replace(secret, "[redacted]")
        message = _TOKEN_LIKE.sub("[redacted]", message)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks may quote URLs; render them now so they pass through the scrubber too.
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self._secrets:
                text = text.replace(secret, "[redacted]")
            message = f"{message}\n{_TOKEN_LIKE.sub('[redacted]', text)}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, None
        return True


def configure_logging(level: str, secrets: list[str], stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _THIRD_PARTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
