"""Several bots' Telegram (reserve bots): each bot its own FakeTelegram behind its own token,
with its own getMe id and username, its own chats and its own spec-validated calls; people
are the same accounts (the same ids) on every bot."""

from __future__ import annotations

from typing import Any

from .core import FakeTelegram
from .request import FakeRequest

# Tokens of the form BotFather issues: the bot's id, a colon, a secret.
TOKENS = (
    "7100000001:AAfirst-bot-token-for-the-fake-telegram",
    "7200000002:AAsecond-bot-token-for-the-fake-telegram",
    "7300000003:AAthird-bot-token-for-the-fake-telegram",
)


class Switchboard:
    """`count` bots; `bots[i]` answers TOKENS[i] only, and 401 once revoked."""

    def __init__(self, count: int = 2) -> None:
        self.bots = [
            FakeTelegram(
                bot_id=int(token.split(":", 1)[0]), username=f"Petition{i + 1}Bot", token=token
            )
            for i, token in enumerate(TOKENS[:count])
        ]

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(bot.token or "" for bot in self.bots)

    def of(self, token: str) -> FakeTelegram | None:
        """The bot a call with `token` reaches, or None (Telegram's 401)."""
        return next((bot for bot in self.bots if bot.accepts(token)), None)

    def request(self) -> FakeRequest:
        """One PTB request for every bot of the process: each call goes to its token's bot."""
        return FakeRequest(self.bots[0], route=self.of)

    def person(self, first_name: str, **kwargs: Any) -> dict[str, Any]:
        """An account that can open any of the bots (none opened yet)."""
        user = self.bots[0].new_user(first_name, **kwargs)
        for bot in self.bots[1:]:
            bot.meet(user)
        return user

    def assert_no_violations(self) -> None:
        for bot in self.bots:
            bot.assert_no_violations()
