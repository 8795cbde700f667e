"""What the bot knows of the newest message in a private chat, and the one rule for sending
a message again after a failed send."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.domain.expiring import Memory
from bot.telegram.client import MaybeSent, NeverSent, ResilientRequest, may_send_again
from bot.telegram.newest import NewestInChat

CHAT = 100042


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _newest(clock: Clock | None = None) -> NewestInChat:
    return NewestInChat(Memory(clock or Clock(), b"k" * 32))


def test_the_flow_message_is_newest_only_while_nothing_else_came_after_it() -> None:
    newest = _newest()
    newest.saw(CHAT, 10)  # the flow message
    newest.saw(CHAT, 57)  # the typed name (ids of other chats came between: no arithmetic)
    assert newest.is_newest(CHAT, 57, (10, 0))
    newest.saw(CHAT, 60)  # the name, deleted by the flow; then a news message the bot sent
    newest.saw(CHAT, 61)
    newest.saw(CHAT, 90)
    assert not newest.is_newest(CHAT, 90, (10, 60))


def test_a_chat_the_bot_knows_nothing_of_is_never_newest() -> None:
    clock = Clock()
    newest = _newest(clock)
    newest.saw(CHAT, 10)
    newest.saw(CHAT, 11)
    newest.lost(CHAT)  # a send that may have arrived without its answer
    newest.saw(CHAT, 12)
    assert not newest.is_newest(CHAT, 12, (10, 11))
    newest.saw(CHAT, 13)
    clock.now += 301  # forgotten with the rest of the per-person memory
    newest.saw(CHAT, 14)
    assert not newest.is_newest(CHAT, 14, (13, 0))


def test_a_button_keeps_the_chat_known_without_adding_the_pressed_message() -> None:
    clock = Clock()
    newest = _newest(clock)
    newest.saw(CHAT, 10)
    clock.now += 200
    newest.touch(CHAT)
    clock.now += 200
    newest.saw(CHAT, 20)
    assert newest.is_newest(CHAT, 20, (10, 0))
    newest.touch(CHAT + 1)  # a press in a chat it knows nothing of adds nothing
    newest.saw(CHAT + 1, 30)
    assert not newest.is_newest(CHAT + 1, 30, (5, 0))


def test_the_one_rule_for_sending_a_message_again() -> None:
    assert may_send_again(NeverSent("refused"), harmless=False)
    assert may_send_again(MaybeSent("dropped"), harmless=True)
    assert not may_send_again(MaybeSent("dropped"), harmless=False)
    assert not may_send_again(TimedOut(), harmless=True)


class _Once(BaseRequest):
    """Answers with `reply`, or fails as a dropped connection does."""

    def __init__(self, reply: dict[str, Any] | None) -> None:
        self.reply = reply

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.reply is None:
            raise MaybeSent("dropped")
        return 200, json.dumps({"ok": True, "result": self.reply}).encode()


async def _send(request: ResilientRequest) -> None:
    data = RequestData([RequestParameter.from_input(k, v) for k, v in {"chat_id": CHAT}.items()])
    await request.do_request("https://api.telegram.org/botT/sendMessage", "POST", data)


async def test_the_client_notes_what_it_sent_and_forgets_a_chat_whose_send_may_have_arrived() -> (
    None
):
    newest = _newest()
    sent = {"message_id": 33, "date": 0, "chat": {"id": CHAT, "type": "private"}}
    await _send(ResilientRequest(_Once(sent), newest=newest))
    newest.saw(CHAT, 40)
    assert newest.is_newest(CHAT, 40, (33, 0))
    with pytest.raises(MaybeSent):
        await _send(ResilientRequest(_Once(None), newest=newest))
    newest.saw(CHAT, 41)
    assert not newest.is_newest(CHAT, 41, (33, 40))
