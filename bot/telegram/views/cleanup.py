"""What the clean-up says: nothing about signing, and no more than Telegram confirms."""

from __future__ import annotations

from bot.i18n import Translator
from bot.telegram.views.common import View, button, esc, keyboard


def phone_advice(t: Translator) -> str:
    """What the bot cannot do for the signer's phone, and how they can."""
    return esc(
        t._(
            "Messages older than 48 hours cannot be deleted by a bot, and the chat itself "
            "stays in your chat list. To remove it, delete the chat (for both sides, where "
            "Telegram offers it); in the chat's menu you can also set messages to delete "
            "themselves automatically (auto-delete timer). The bot cannot see whether you did."
        )
    )


def cleaned(t: Translator, complete: bool) -> View:
    """The one neutral line left in the chat (it says nothing about any campaign)."""
    head = (
        t._("🧹 I removed what Telegram still lets me remove from this chat.")
        if complete
        else t._(
            "🧹 I removed part of this chat; Telegram stopped me before the end. "
            "Try again in a minute."
        )
    )
    return View(f"{esc(head)}\n\n{phone_advice(t)}")


def cleanup_buttons(t: Translator, auto: bool) -> list[list]:  # type: ignore[type-arg]
    """Rows for the privacy notice: clean up now, and the automatic clean-up switch."""
    switch = (
        button("✅ " + t._("Automatic clean-up after signing: on"), "auto", 0)
        if auto
        else button("☐ " + t._("Automatic clean-up after signing: off"), "auto", 1)
    )
    return [[button("🧹 " + t._("Leave no trace in this chat"), "clean")], [switch]]


def privacy_view(t: Translator, notice: str, auto: bool, back: str | None = None) -> View:
    rows = cleanup_buttons(t, auto)
    if back is not None:
        rows.append([button("⬅️ " + t._("Back"), "sign", back)])
    return View(f"{notice}\n\n{phone_advice(t)}", keyboard(*rows))
