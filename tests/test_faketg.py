"""Tests of the fake Telegram Bot API itself (tests/faketg): it must reject what Telegram rejects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.faketg import FakeTelegram, FakeTelegramServer, Faults, parse_html, u16len
from tests.faketg.html import HtmlError

TOKEN = "123456:TEST-token-for-the-fake-telegram-api"


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


def started_user(fake: FakeTelegram) -> int:
    """A user who has opened the chat with the bot (so the bot may write)."""
    uid: int = fake.new_user("Alice")["id"]
    fake.chats[uid].started = True
    return uid


def call(fake: FakeTelegram, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    return fake.execute(method, params)


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
    assert call(fake, "sendPhoto", chat_id=uid, photo=_png_upload(), caption="😀" * 513)[0] == 400


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


def test_message_ids_increase_per_chat(fake: FakeTelegram) -> None:
    a, b = started_user(fake), started_user(fake)
    ids_a = [
        call(fake, "sendMessage", chat_id=a, text="x")[1]["result"]["message_id"] for _ in range(3)
    ]
    id_b = call(fake, "sendMessage", chat_id=b, text="x")[1]["result"]["message_id"]
    assert ids_a == [1, 2, 3] and id_b == 1


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
        fake, "sendPhoto", chat_id=uid, photo=_png_upload(), caption="<b>QR</b>", parse_mode="HTML"
    )[1]["result"]
    assert res["caption"] == "QR" and res["photo"][-1]["width"] == 2
    again = call(fake, "sendPhoto", chat_id=uid, photo=res["photo"][-1]["file_id"])
    assert again[0] == 200
    assert call(fake, "sendPhoto", chat_id=uid, photo=_upload(b"not an image"))[0] == 400
    doc = call(fake, "sendDocument", chat_id=uid, document=_upload(b"a,b\n", "x.csv", "text/csv"))[
        1
    ]["result"]
    assert doc["document"]["file_name"] == "x.csv" and doc["document"]["file_size"] == 4
    assert (
        call(fake, "sendDocument", chat_id=uid, document=_upload(b"0" * (50 * 1024 * 1024 + 1)))[0]
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


# -- with a real telegram.Bot in-process -----------------------------------------------------------


async def test_real_bot_over_fake_request(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    async with Bot(TOKEN, request=fake.request()) as bot:
        me = await bot.get_me()
        assert me.username == "PetitionTestBot" and me.id == 7000000001
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("Sign", callback_data="sign:1")]])
        msg = await bot.send_message(uid, "<i>Hello</i>", parse_mode="HTML", reply_markup=kb)
        assert (
            msg.text == "Hello"
            and msg.reply_markup == kb
            and msg.from_user
            and msg.from_user.is_bot
        )
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text(
                "<i>Hello</i>", uid, msg.message_id, parse_mode="HTML", reply_markup=kb
            )
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(uid, "<b>oops", parse_mode="HTML")
        fake.block_bot(uid)
        with pytest.raises(Forbidden):
            await bot.send_message(uid, "x")
        photo = await bot.send_photo(started_user(fake), _png_bytes(), caption="code")
        assert photo.photo and photo.caption == "code"
        doc = await bot.send_document(photo.chat_id, b"hello", filename="sig.txt")
        assert doc.document and doc.document.file_name == "sig.txt"
        assert fake.files[doc.document.file_id].data == b"hello"
    assert [c.method for c in fake.calls][:2] == ["getMe", "getMe"] or fake.calls[
        0
    ].method == "getMe"
    assert len(fake.violations) == 1 and "parse entities" in fake.violations[0]


async def test_faults_surface_as_ptb_errors(fake: FakeTelegram) -> None:
    uid = started_user(fake)
    seen: set[type] = set()
    async with Bot(TOKEN, request=fake.request()) as bot:
        fake.faults = Faults(rate=1.0, kinds=("429", "5xx", "timeout"), seed=7)
        for _ in range(30):
            try:
                await bot.send_message(uid, "x")
            except (RetryAfter, TimedOut, NetworkError) as e:
                seen.add(type(e))
    assert seen == {RetryAfter, TimedOut, NetworkError}


# -- a tiny Application driven by FakeUser ---------------------------------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    payload = " ".join(context.args or [])
    kb = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Sign ✍️", callback_data="sign"),
                InlineKeyboardButton("Quiet", callback_data="quiet"),
            ],
            [InlineKeyboardButton("Share", url="https://t.me/PetitionTestBot?start=p1")],
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        f"<b>Welcome</b> {payload}".strip(),
        parse_mode="HTML",
        reply_markup=kb,
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    q = update.callback_query
    assert q is not None and q.message is not None
    if q.data == "quiet":
        return  # forgets to answer: the fake must notice
    await q.answer("Thanks!")
    await context.bot.edit_message_text("Signed", q.message.chat.id, q.message.message_id)


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.inline_query is not None
    r = InlineQueryResultArticle(
        "1", "Petition", InputTextMessageContent("<b>Sign it</b>", parse_mode="HTML")
    )
    await update.inline_query.answer([r])


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, "got it")


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(fake.request())
        .get_updates_request(fake.request())
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(InlineQueryHandler(_inline))
    application.add_handler(
        MessageHandler(filters.ALL & ~filters.COMMAND & ~filters.StatusUpdate.ALL, _echo)
    )
    async with application:
        yield application


async def test_application_start_press_and_read(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    u = fake.user(app, first_name="Alice")
    assert u.id >= 100001
    mark = u.mark()
    await u.start(payload="p1")
    assert u.last.text == "Welcome p1" and u.last.html.startswith("<b>Welcome</b>")
    assert u.last.buttons == [["Sign ✍️", "Quiet"], ["Share"]]
    assert len(u.new_messages_since(mark)) == 1
    assert await u.press("Share") == "https://t.me/PetitionTestBot?start=p1"
    await u.press("Sign")  # substring match
    assert u.last_answer is not None and u.last_answer["text"] == "Thanks!"
    assert u.last.text == "Signed" and u.last.edited and u.last.buttons == []
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await u.press("Sign")
    fake.assert_no_violations()


async def test_unanswered_callback_is_a_violation(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    fake.callback_answer_timeout = 0.05
    u = fake.user(app)
    await u.start()
    await u.press("Quiet")
    assert any("callback query not answered" in v for v in fake.violations)
    with pytest.raises(AssertionError, match="no button 'Nope'"):
        await u.press("Nope")


async def test_user_messages_share_id_sequence(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    u = fake.user(app)
    await u.send("hello")
    await u.send_sticker()
    await u.send_photo()
    await u.send_contact()
    ids = [m.message_id for m in u.all_messages]
    assert ids == list(range(1, 9))
    assert [m.from_bot for m in u.all_messages] == [False, True] * 4


async def test_inline_query_and_redeliver_and_double_tap(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    u = fake.user(app)
    results = await u.inline_query("climate")
    assert results[0]["input_message_content"]["message_text"] == "<b>Sign it</b>"
    await u.start()
    await u.redeliver()
    assert len(u.messages) == 2  # this toy bot is not idempotent; the fake re-fed the same update
    assert u.last_update is not None and "message" in u.last_update
    await u.double_tap("Sign")
    answers = fake.calls_to("answerCallbackQuery")
    assert len(answers) == 2 and all(c.ok for c in answers)


async def test_group_add_bot_and_many_users(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    members: list[Update] = []

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        members.append(update)

    from telegram.ext import ChatMemberHandler

    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    u = fake.user(app)
    g = fake.group(title="Diaspora chat", supergroup=True)
    await fake.add_bot_to_group(g, by=u)
    assert (
        members
        and members[0].my_chat_member
        and members[0].my_chat_member.new_chat_member.status == "member"
    )
    assert g.all_messages[-1].raw["new_chat_members"][0]["id"] == fake.bot["id"]
    await u.command("start", chat=g)
    assert g.last.text == "Welcome" and g.chat_id < 0
    users = [fake.user(app, first_name=f"U{i}") for i in range(200)]
    await asyncio.gather(*(x.send("hi") for x in users))
    assert all(x.last.text == "got it" for x in users)
    fake.assert_no_violations()


# -- over HTTP with a real telegram.Bot ------------------------------------------------------------


@pytest.fixture
def server(fake: FakeTelegram) -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(fake) as srv:
        yield srv


async def test_http_server_long_polling_and_send(
    fake: FakeTelegram, server: FakeTelegramServer
) -> None:
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/bot")
    uid = started_user(fake)
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        assert (await bot.get_me()).username == "PetitionTestBot"
        assert await bot.get_updates(timeout=0) == ()
        t0 = time.monotonic()
        loop = asyncio.get_running_loop()
        loop.call_later(
            0.3,
            fake.enqueue_update,
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": uid, "type": "private", "first_name": "A"},
                    "text": "hi",
                }
            },
        )
        got = await bot.get_updates(timeout=5)
        assert len(got) == 1 and got[0].message and got[0].message.text == "hi"
        assert 0.2 < time.monotonic() - t0 < 3
        assert len(await bot.get_updates(offset=got[0].update_id + 1, timeout=0)) == 0
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        msg = await bot.send_message(uid, "<b>hi</b>", parse_mode="HTML", reply_markup=kb)
        assert msg.text == "hi" and msg.reply_markup == kb
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):  # PTB re-cases it
            await bot.send_message(
                uid,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("A", callback_data="a" * 65)]]
                ),
            )
        photo = await bot.send_photo(uid, _png_bytes(), caption="qr")
        f = await bot.get_file(photo.photo[-1].file_id)
        assert bytes(await f.download_as_bytearray()) == _png_bytes()
        assert await bot.set_my_commands([("start", "Start")]) is True
    assert fake.calls_to("sendMessage", chat_id=uid)[0].params["reply_markup"] == kb.to_dict()
    assert len(fake.violations) == 1


async def test_remote_user_against_polling_application(
    fake: FakeTelegram, server: FakeTelegramServer
) -> None:
    application = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=2)
        await application.start()
        try:
            ru = fake.remote_user(first_name="Remote", timeout=5)
            await ru.start()
            assert ru.last.text == "Welcome"
            await ru.press("Sign")
            assert ru.last.text == "Signed"
            ru.timeout = 0.5
            with pytest.raises(TimeoutError, match="did not react"):
                await ru.send("nobody handles this")
        finally:
            await application.updater.stop()
            await application.stop()
    fake.assert_no_violations()


# -- helpers ---------------------------------------------------------------------------------------


def _png_bytes() -> bytes:
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000020000000208060000"
        "00f478d4fa0000000d49444154789c63f8cfc0f01f0007fe02fe7d0d4c9c0000000049454e44ae426082"
    )


def _upload(data: bytes, name: str = "f.bin", mime: str = "application/octet-stream") -> Any:
    from tests.faketg import Upload

    return Upload(data, name, mime)


def _png_upload() -> Any:
    return _upload(_png_bytes(), "qr.png", "image/png")
