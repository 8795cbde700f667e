"""faketg: a fake Telegram Bot API for testing the bot (in-process and over HTTP)."""

from .core import BOT_ID, BOT_USERNAME, FakeTelegram, get_spec
from .html import HtmlError, parse_html, u16len
from .http import ConnectionFaults, FakeTelegramServer, RemoteUser
from .model import ApiError, Call, Faults, StoredFile, Upload
from .request import FakeRequest
from .switchboard import Switchboard
from .user import BaseUser, FakeGroup, FakeUser, side_calls_done
from .views import MessageView

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "ApiError",
    "BaseUser",
    "Call",
    "ConnectionFaults",
    "FakeGroup",
    "FakeRequest",
    "FakeTelegram",
    "FakeTelegramServer",
    "FakeUser",
    "Faults",
    "HtmlError",
    "MessageView",
    "RemoteUser",
    "StoredFile",
    "Switchboard",
    "Upload",
    "get_spec",
    "parse_html",
    "side_calls_done",
    "u16len",
]
