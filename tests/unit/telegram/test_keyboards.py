"""Keyboards as the Bot API gets them, made once (issue 32): what is sent is what PTB's own
conversion of the same buttons sends, and a kept keyboard holds nothing of a person."""

from __future__ import annotations

from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.content import load_campaigns
from bot.domain.campaigns import Campaign
from bot.domain.signatures import Draft, Step
from bot.i18n import I18n
from bot.telegram.views import signing as views
from bot.telegram.views.common import button, keyboard, url_button
from tests.support.steps import CAMPAIGN


def test_a_keyboard_is_sent_as_ptb_would_send_the_same_buttons() -> None:
    ours = keyboard(
        [button("✍️ Sign", "sign", CAMPAIGN), url_button("🌐 Site", "https://example.org/x")],
        [],
        [button("🌐 Language", "lang")],
    )
    plain = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✍️ Sign", callback_data=f"1|sign|{CAMPAIGN}"),
                InlineKeyboardButton("🌐 Site", url="https://example.org/x"),
            ],
            [InlineKeyboardButton("🌐 Language", callback_data="1|lang")],
        ]
    )
    assert ours.to_dict() == plain.to_dict()
    assert ours == plain
    sent = ours.to_dict()
    sent["inline_keyboard"][0][0]["text"] = "changed by a caller"
    assert ours.to_dict() == plain.to_dict()  # each call gets its own copy


def test_kept_keyboards_are_the_same_for_everyone_and_hold_no_name() -> None:
    """The name prompt's keyboard offers each person their own name; the rest of it, and the
    preview's whole keyboard, are made once per language and campaign state."""
    t = I18n().get("en")
    campaign = _campaign()
    ada = Draft("p" * 64, CAMPAIGN, Step.NAME)
    bo = Draft("q" * 64, CAMPAIGN, Step.NAME)
    first = views.name_prompt(t, campaign, ada, "Ada Lovelace").markup
    second = views.name_prompt(t, campaign, bo, "Bo Example").markup
    assert first is not None and second is not None
    assert first.inline_keyboard[0][0].text == "Use “Ada Lovelace”"
    assert second.inline_keyboard[0][0].text == "Use “Bo Example”"
    assert first.inline_keyboard[1:] == second.inline_keyboard[1:]
    assert first.inline_keyboard[1][0] is second.inline_keyboard[1][0]  # made once
    named = Draft("p" * 64, CAMPAIGN, Step.PREVIEW, name="Ada Lovelace")
    preview = views.preview(t, campaign, named)
    again = views.preview(t, campaign, Draft("q" * 64, CAMPAIGN, Step.PREVIEW, name="Bo"))
    assert preview.markup is not None and again.markup is not None
    assert preview.markup.inline_keyboard[0][0] is again.markup.inline_keyboard[0][0]
    kept = repr(t._kept)
    assert "Ada" not in kept and "Bo Example" not in kept
    with_role = views.preview(t, campaign, Draft("r" * 64, CAMPAIGN, Step.PREVIEW, "Cy", "X"))
    assert with_role.markup is not None
    assert "Change role" in with_role.markup.inline_keyboard[2][0].text


def _campaign() -> Campaign:
    campaign = load_campaigns(Path(__file__).resolve().parents[3] / "campaigns").get(CAMPAIGN)
    assert campaign is not None
    return campaign
