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


def cleaned(t: Translator, complete: bool, stopped: bool = False) -> View:
    """The one neutral line left in the chat (it says nothing about any campaign); `stopped`:
    the person's updates were stopped in the same tap."""
    head = (
        t._("🧹 I removed what Telegram still lets me remove from this chat.")
        if complete
        else t._(
            "🧹 I removed part of this chat; Telegram stopped me before the end. "
            "Try again in a minute."
        )
    )
    if stopped:
        head += "\n" + t._("You will get no more updates.")
    # A note about erasing is itself a trace: its own button deletes it, so the chat can end
    # empty.
    delete = button("🗑 " + t._("Delete this note too"), "cleannote")
    return View(f"{esc(head)}\n\n{phone_advice(t)}", keyboard([delete]))


def clean_rows(t: Translator, subscribed: bool) -> list[list]:  # type: ignore[type-arg]
    """Leave no trace; for a person who gets updates, also the same with every campaign's
    updates stopped in one tap: otherwise the next broadcast puts a campaign back into the
    cleaned chat and onto the lock screen."""
    rows = [[button("🧹 " + t._("Leave no trace in this chat"), "clean")]]
    if subscribed:
        rows.append([button("🧹🔕 " + t._("Leave no trace and stop all updates"), "cleanall")])
    return rows


def cleanup_buttons(t: Translator, auto: bool, subscribed: bool) -> list[list]:  # type: ignore[type-arg]
    """Rows for the privacy notice: clean up now, and the automatic clean-up switch."""
    switch = (
        button("✅ " + t._("Automatic clean-up after signing: on"), "auto", 0)
        if auto
        else button("☐ " + t._("Automatic clean-up after signing: off"), "auto", 1)
    )
    return [*clean_rows(t, subscribed), [switch]]


def privacy_view(
    t: Translator, notice: str, auto: bool, subscribed: bool, back: str | None = None
) -> View:
    rows = cleanup_buttons(t, auto, subscribed)
    if back is not None:
        rows.append([button("⬅️ " + t._("Back"), "sign", back)])
    return View(f"{notice}\n\n{phone_advice(t)}", keyboard(*rows))
