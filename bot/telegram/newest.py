"""Which message is the newest in a private chat, as far as the bot itself has seen.

The signing flow edits its message in place only while nothing came after it in the chat.
Telegram numbers private-chat messages per bot account, so the ids one chat sees interleave
with every other chat's: "the message before this one" cannot be worked out from an id. The
bot knows what it sent (the client notes every message it creates) and what it received (the
gate notes every incoming message), so it remembers the newest few ids of each chat and compares
them by order only. A send that may have arrived without its answer (`MaybeSent`) leaves a
message the bot never saw: the chat is then forgotten, and "unknown" always means "not newest".

Kept in the per-person memory (bot.domain.expiring): blinded chat ids, gone minutes after the
person's last update, like everything else the process holds per person.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.expiring import Expiring, Memory

KEEP = 4  # ids per chat: the incoming one, the flow's two, and whatever came between


class NewestInChat:
    """The newest message ids the bot has seen in each private chat, sent or received."""

    def __init__(self, memory: Memory) -> None:
        self._seen: Expiring[int, tuple[int, ...]] = memory.by_telegram_id(most=200_000)

    def saw(self, chat_id: int, message_id: int) -> None:
        """A message in the chat, sent or received (ids only ever grow, so order is kept)."""
        if chat_id <= 0:
            return  # groups and channels: the flow lives in private chats only
        ids = self._seen.get(chat_id) or ()
        self._seen[chat_id] = tuple(sorted({*ids, message_id}))[-KEEP:]

    def touch(self, chat_id: int) -> None:
        """The person is still here (a button): keep what is known of the chat a while longer.
        Never adds the pressed message's id: an old message says nothing of what came after."""
        ids = self._seen.get(chat_id)
        if ids:
            self._seen[chat_id] = ids

    def lost(self, chat_id: int) -> None:
        """A message may have reached the chat unseen: nothing is known about it any more."""
        self._seen.pop(chat_id)

    def is_newest(self, chat_id: int, incoming: int, ours: Iterable[int | None]) -> bool:
        """Whether the newest message seen in the chat, `incoming` aside, is one of `ours`."""
        ids = [i for i in self._seen.get(chat_id) or () if i != incoming]
        return bool(ids) and ids[-1] in set(ours)
