"""The fake Telegram driven by real PTB objects: Bot, Application, FakeUser, the HTTP server."""

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

from tests.support.faketg import FakeTelegram, FakeTelegramServer, Faults
from tests.support.faketg_fixtures import TOKEN, fake, png_bytes, started_user

__all__ = ["fake"]  # the fixture, re-exported for pytest


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
        photo = await bot.send_photo(started_user(fake), png_bytes(), caption="code")
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
        photo = await bot.send_photo(uid, png_bytes(), caption="qr")
        f = await bot.get_file(photo.photo[-1].file_id)
        assert bytes(await f.download_as_bytearray()) == png_bytes()
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
