"""The fake Telegram itself: spec validation, limits, HTML and Telegram behaviours."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.faketg import FakeTelegram, Faults, parse_html, u16len
from tests.support.faketg.html import HtmlError
from tests.support.faketg_fixtures import call, fake, png_upload, started_user, upload

__all__ = ["fake"]  # the fixture, re-exported for pytest


# -- spec validation ---------------------------------------------------------------------


def test_unknown_parameter_is_rejected(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    status, body = call(fake, "sendMessage", chat_id=uid, text="hi", colour="red")
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    assert 'unknown parameter "colour"' in body["description"]
    assert len(fake.violations) == 1
    with pytest.raises(AssertionError, match="colour"):
        fake.assert_no_violations()


def test_missing_required_parameter(fake: FakeTelegram) -> None:
    status, body = call(fake, "sendMessage", text="hi")
    assert status == 400 and '"chat_id" is required' in body["description"]


def test_wrong_type_and_union_types(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    assert call(fake, "sendMessage", chat_id=uid, text=5)[0] == 400
    assert call(fake, "sendMessage", chat_id=str(uid), text="ok")[0] == 200  # Integer or String
    assert call(fake, "sendMessage", chat_id=uid, text="x", disable_notification="yes")[0] == 400
    assert len(fake.violations) == 2


def test_unknown_method_is_404(fake: FakeTelegram) -> None:
    status, body = call(fake, "sendMessageNow", chat_id=1, text="x")
    assert (status, body["description"]) == (404, "Not Found")
    assert fake.violations


def test_nested_keyboard_button_validated(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    bad = {"inline_keyboard": [[{"text": "A", "callback_data": "a", "colour": "red"}]]}
    status, body = call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=bad)
    assert status == 400 and "colour" in body["description"]
    two = {"inline_keyboard": [[{"text": "A", "callback_data": "a", "url": "https://x.org"}]]}
    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=two)[0] == 400
    none = {"inline_keyboard": [[{"text": "A"}]]}
    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=none)[0] == 400
    ftp = {"inline_keyboard": [[{"text": "A", "url": "ftp://x.org"}]]}
    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=ftp)[0] == 400
    assert len(fake.violations) == 4


def test_callback_data_64_bytes_ok_65_rejected(fake: FakeTelegram) -> None:
    uid = started_user(fake)

    def kb(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}

    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=kb("a" * 64))[0] == 200
    status, body = call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=kb("a" * 65))
    assert status == 400 and "BUTTON_DATA_INVALID" in body["description"]
    # bytes, not characters: 32 two-byte characters is 64 bytes, 33 is too many
    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=kb("é" * 33))[0] == 400


def test_deep_link_start_parameter_checked(fake: FakeTelegram) -> None:
    uid = started_user(fake)

    def kb(url: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "Share", "url": url}]]}

    ok = "https://t.me/PetitionTestBot?start=p_12-ab"
    assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=kb(ok))[0] == 200
    for bad in (
        "https://t.me/PetitionTestBot?start=a.b",
        "https://t.me/PetitionTestBot?start=" + "a" * 65,
    ):
        assert call(fake, "sendMessage", chat_id=uid, text="x", reply_markup=kb(bad))[0] == 400


def test_inline_query_result_subtype_picked_by_type(fake: FakeTelegram) -> None:
    fake.inline_queries["q1"] = {"answered": False}
    good = {
        "type": "article",
        "id": "1",
        "title": "T",
        "input_message_content": {"message_text": "hi"},
    }
    assert call(fake, "answerInlineQuery", inline_query_id="q1", results=[good])[0] == 200
    fake.inline_queries["q2"] = {"answered": False}
    wrong = {**good, "photo_url": "https://x.org/p.jpg"}  # a field of InlineQueryResultPhoto
    assert call(fake, "answerInlineQuery", inline_query_id="q2", results=[wrong])[0] == 400
    dup = [good, good]
    assert (
        "RESULT_ID_DUPLICATE"
        in call(fake, "answerInlineQuery", inline_query_id="q2", results=dup)[1]["description"]
    )
    too_many = [{**good, "id": str(i)} for i in range(51)]
    assert call(fake, "answerInlineQuery", inline_query_id="q2", results=too_many)[0] == 400


def test_set_my_commands_limits(fake: FakeTelegram) -> None:
    assert (
        call(fake, "setMyCommands", commands=[{"command": "start", "description": "Go"}])[0] == 200
    )
    assert call(fake, "getMyCommands")[1]["result"] == [{"command": "start", "description": "Go"}]
    assert (
        call(fake, "setMyCommands", commands=[{"command": "Start", "description": "Go"}])[0] == 400
    )
    assert call(fake, "setMyCommands", commands=[{"command": "s", "description": ""}])[0] == 400
    many = [{"command": f"c{i}", "description": "d"} for i in range(101)]
    assert call(fake, "setMyCommands", commands=many)[0] == 400
    assert call(fake, "setMyShortDescription", short_description="x" * 121)[0] == 400
    assert call(fake, "setMyDescription", description="x" * 512)[0] == 200


# -- text, HTML and lengths -----------------------------------------------------------------


def test_text_length_4096_ok_4097_rejected(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    assert call(fake, "sendMessage", chat_id=uid, text="a" * 4096)[0] == 200
    status, body = call(fake, "sendMessage", chat_id=uid, text="a" * 4097)
    assert status == 400 and "message is too long" in body["description"]
    # markup does not count: 4096 characters of text inside <b> is fine
    assert (
        call(fake, "sendMessage", chat_id=uid, text="<b>" + "a" * 4096 + "</b>", parse_mode="HTML")[
            0
        ]
        == 200
    )


def test_utf16_length_counting(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    assert u16len("😀") == 2 and u16len("é") == 1
    assert call(fake, "sendMessage", chat_id=uid, text="😀" * 2048)[0] == 200
    assert call(fake, "sendMessage", chat_id=uid, text="😀" * 2048 + "a")[0] == 400
    assert call(fake, "sendPhoto", chat_id=uid, photo=png_upload(), caption="😀" * 513)[0] == 400


@pytest.mark.parametrize(
    "bad", ["<b>x", "a < b", "<script>x</script>", "<b><i>x</b></i>", "Tom & Jerry", "</b>"]
)
def test_bad_html_rejected(fake: FakeTelegram, bad: str) -> None:
    uid = started_user(fake)
    status, body = call(fake, "sendMessage", chat_id=uid, text=bad, parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert fake.violations


def test_escaped_html_accepted_and_entities_in_utf16(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    status, body = call(
        fake, "sendMessage", chat_id=uid, text="😀 <b>&lt;b&gt; &amp; &#65;</b>", parse_mode="HTML"
    )
    assert status == 200
    msg = body["result"]
    assert msg["text"] == "😀 <b> & A"
    assert msg["entities"] == [{"type": "bold", "offset": 3, "length": 7}]
    fake.assert_no_violations()


def test_html_parser_tags() -> None:
    text, ents = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">l</a><tg-spoiler>s</tg-spoiler>'
        '<pre><code class="language-py">p</code></pre><blockquote expandable>q</blockquote>'
    )
    assert text == "lspq"
    assert [e["type"] for e in ents] == ["text_link", "spoiler", "pre", "expandable_blockquote"]
    assert ents[0]["url"] == "https://x.org/?a=1&b=2" and ents[2]["language"] == "py"
    with pytest.raises(HtmlError, match="span"):
        parse_html("<span>x</span>")


def test_empty_text_after_parsing_rejected(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    status, body = call(fake, "sendMessage", chat_id=uid, text="<b> </b>\n", parse_mode="HTML")
    assert status == 400 and "message text is empty" in body["description"]


# -- state and Telegram behaviours -------------------------------------------------------------


def test_message_ids_are_numbered_per_bot_account_except_in_supergroups(
    fake: FakeTelegram,
) -> None:
    """As Telegram does: private chats (and basic groups) share the account's sequence, so
    one chat's ids interleave with the others'; a supergroup numbers its own."""
    a, b = started_user(fake), started_user(fake)

    def sent(chat: int) -> int:
        return int(call(fake, "sendMessage", chat_id=chat, text="x")[1]["result"]["message_id"])

    assert [sent(a), sent(b), sent(a), sent(b)] == [1, 2, 3, 4]
    group = fake.group("Super")
    group.chat.bot_member = True
    assert [sent(group.chat.id), sent(a), sent(group.chat.id)] == [1, 5, 2]


def test_edit_not_modified_and_missing(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    kb = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    mid = call(
        fake, "sendMessage", chat_id=uid, text="<b>x</b>", parse_mode="HTML", reply_markup=kb
    )[1]["result"]["message_id"]
    status, body = call(
        fake,
        "editMessageText",
        chat_id=uid,
        message_id=mid,
        text="<b>x</b>",
        parse_mode="HTML",
        reply_markup=kb,
    )
    assert status == 400 and "message is not modified" in body["description"]
    # without reply_markup the keyboard is removed, so that is a modification
    status, body = call(
        fake, "editMessageText", chat_id=uid, message_id=mid, text="<b>x</b>", parse_mode="HTML"
    )
    assert status == 200 and "reply_markup" not in body["result"] and "edit_date" in body["result"]
    assert (
        call(fake, "editMessageText", chat_id=uid, message_id=99, text="y")[1]["description"]
        == "Bad Request: message to edit not found"
    )
    assert call(fake, "deleteMessage", chat_id=uid, message_id=mid)[0] == 200
    assert (
        call(fake, "deleteMessage", chat_id=uid, message_id=mid)[1]["description"]
        == "Bad Request: message to delete not found"
    )
    fake.assert_no_violations()  # runtime conditions, not contract violations


def test_chat_not_found_blocked_and_not_started(fake: FakeTelegram) -> None:
    assert (
        call(fake, "sendMessage", chat_id=42, text="x")[1]["description"]
        == "Bad Request: chat not found"
    )
    uid = fake.new_user("Never started")["id"]
    assert call(fake, "sendMessage", chat_id=uid, text="x")[0] == 403
    fake.chats[uid].started = True
    fake.block_bot(uid)
    status, body = call(fake, "sendMessage", chat_id=uid, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


def test_group_rate_limit(fake: FakeTelegram) -> None:
    g = fake.group("Diaspora chat")
    g.chat.bot_member = True
    fake.group_limit_per_minute = 5
    assert all(call(fake, "sendMessage", chat_id=g.id, text="x")[0] == 200 for _ in range(5))
    status, body = call(fake, "sendMessage", chat_id=g.id, text="x")
    assert status == 429 and body["parameters"]["retry_after"] >= 1


def test_photo_and_document_stored(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    res = call(
        fake, "sendPhoto", chat_id=uid, photo=png_upload(), caption="<b>QR</b>", parse_mode="HTML"
    )[1]["result"]
    assert res["caption"] == "QR" and res["photo"][-1]["width"] == 2
    again = call(fake, "sendPhoto", chat_id=uid, photo=res["photo"][-1]["file_id"])
    assert again[0] == 200
    assert call(fake, "sendPhoto", chat_id=uid, photo=upload(b"not an image"))[0] == 400
    doc = call(fake, "sendDocument", chat_id=uid, document=upload(b"a,b\n", "x.csv", "text/csv"))[
        1
    ]["result"]
    assert doc["document"]["file_name"] == "x.csv" and doc["document"]["file_size"] == 4
    assert (
        call(fake, "sendDocument", chat_id=uid, document=upload(b"0" * (50 * 1024 * 1024 + 1)))[0]
        == 413
    )


def test_faults_are_deterministic_and_exempt_get_me(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    fake.faults = Faults(rate=0.5, kinds=("429", "5xx"), seed=3)
    codes = [
        asyncio.run(fake.call_async("sendMessage", {"chat_id": uid, "text": "x"}))[0]
        for _ in range(40)
    ]
    assert {200, 429, 502} <= set(codes)
    assert all(asyncio.run(fake.call_async("getMe", {}))[0] == 200 for _ in range(20))
    assert sum(1 for c in fake.calls if c.fault) == codes.count(429) + codes.count(502)
