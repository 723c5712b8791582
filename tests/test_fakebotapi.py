"""Checks the fake Bot API against PTB's real client, so e2e tests can trust the fake.

Everything goes through ``telegram.Bot`` / ``Application`` over real HTTP: if PTB cannot parse
what the fake returns, these tests fail here instead of as mysterious e2e flakiness.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests import fake_api_fixture
from tests.fakebotapi import FakeBotAPI

fake_api = fake_api_fixture.fake_api

USER = 4242


@pytest.fixture
async def bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(
        fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url
    ) as client:
        yield client


def _in_thread(action: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # int (deprecated) unless PTB_TIMEDELTA=1, then a timedelta
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _raw_post(
    api: FakeBotAPI, method: str, params: dict[str, str]
) -> tuple[int, dict[str, object]]:
    """Plain urllib, for concurrency cases PTB's single-connection poll pool can't produce."""
    body = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(f"{api.base_url}{api.token}/{method}", data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


async def test_get_me_parses(bot: Bot, fake_api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.username == "mend_test_bot"
    assert me.id == 123456
    assert me.can_join_groups is True
    assert fake_api.calls[0].method == "getMe"


async def test_send_message_returns_full_message(bot: Bot, fake_api: FakeBotAPI) -> None:
    first = await bot.send_message(USER, "hello")
    second = await bot.send_message(USER, "again")
    assert isinstance(first, Message)
    assert first.text == "hello"
    assert second.message_id == first.message_id + 1
    assert abs(first.date.timestamp() - time.time()) < 60
    assert first.chat.id == USER and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.is_bot
    assert fake_api.texts(USER) == ["hello", "again"]
    call = fake_api.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == USER  # decoded from PTB's JSON-encoded form value


async def test_text_that_looks_like_json_stays_a_string(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.send_message(USER, "42")
    assert fake_api.texts(USER) == ["42"]


async def test_inline_keyboard_recorded_and_echoed(bot: Bot, fake_api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    message = await bot.send_message(USER, "Ready?", reply_markup=markup)
    recorded = fake_api.calls_to("sendMessage")[0].params["reply_markup"]
    assert recorded == {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    assert message.reply_markup == markup


async def test_oversized_callback_data_is_rejected(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "hi", reply_markup=markup)


async def test_get_updates_offset_confirms(bot: Bot, fake_api: FakeBotAPI) -> None:
    first = fake_api.push_text(USER, "one")
    second = fake_api.push_text(USER, "two")
    assert second == first + 1
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake_api.pending_updates == 0


async def test_get_updates_limit(bot: Bot, fake_api: FakeBotAPI) -> None:
    ids = [fake_api.push_text(USER, str(i)) for i in range(3)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]


async def test_long_poll_wakes_when_update_pushed(bot: Bot, fake_api: FakeBotAPI) -> None:
    def push_once_blocked() -> None:
        fake_api.wait_until_polling_blocked(timeout=5)
        fake_api.push_text(USER, "wake up")

    pusher = _in_thread(push_once_blocked)
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    pusher.join(timeout=5)
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert elapsed < 3  # far below the 5 s poll timeout


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dt.timedelta(milliseconds=200)) == ()
    assert 0.15 <= time.monotonic() - started < 3


async def test_start_parses_as_command(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.push_text(USER, "/start ref_123")
    fake_api.push_text(USER, "/help@mend_test_bot")
    start, help_ = await bot.get_updates()
    assert start.message is not None and help_.message is not None
    entity = start.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, len("/start"))
    assert help_.message.entities[0].length == len("/help@mend_test_bot")
    assert start.message.from_user is not None
    assert start.message.from_user.language_code == "en"


async def test_callback_query_has_accessible_message(bot: Bot, fake_api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(USER, "Pick", reply_markup=markup)
    fake_api.push_callback(USER, "go")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert query.data == "go"
    assert isinstance(query.message, Message)  # not InaccessibleMessage
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == markup
    assert await query.answer("ok") is True


async def test_click_presses_button_by_label(bot: Bot, fake_api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Not now", callback_data="later")],
         [InlineKeyboardButton("Let's begin", callback_data="begin")]]
    )
    await bot.send_message(USER, "Shall we?", reply_markup=markup)
    fake_api.click(USER, "begin")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "begin"


async def test_edit_message_text_returns_message(bot: Bot, fake_api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(USER, "before", reply_markup=markup)
    edited = await bot.edit_message_text("after", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "after" and edited.edit_date is not None
    assert edited.reply_markup is None  # editing without markup drops the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("after", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    again = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=markup)
    assert isinstance(again, Message) and again.reply_markup == markup


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # int retry_after
async def test_retry_after_injection(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert _retry_seconds(caught.value) == 3
    await bot.send_message(USER, "y")  # only the next call failed
    assert fake_api.texts(USER) == ["y"]
    assert fake_api.http_429 == 1
    failed = [c for c in fake_api.calls if not c.ok]
    assert [(c.method, c.error_code) for c in failed] == [("sendMessage", 429)]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # int retry_after
async def test_rate_limit_answers_429(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.enforce_rate(1.0)
    await bot.send_message(USER, "first")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "second")
    assert _retry_seconds(caught.value) >= 1
    assert fake_api.http_429 == 1


async def test_blocked_chat_is_forbidden(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.block_chat(USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "hello?")
    await bot.send_message(USER + 1, "others still fine")


async def test_send_photo_and_document_multipart(bot: Bot, fake_api: FakeBotAPI) -> None:
    payload = bytes(range(256)) * 4 + b"\r\n--tricky\r\n"
    photo = await bot.send_photo(USER, payload, filename="card.png", caption="Your card")
    assert photo.photo and photo.caption == "Your card"
    call = fake_api.calls_to("sendPhoto")[0]
    assert call.files["photo"] == ("card.png", payload)
    assert call.params["chat_id"] == USER

    document = await bot.send_document(USER, b"a,b\n1,2\n", filename="export é.csv")
    assert document.document is not None
    assert document.document.file_name == "export é.csv"
    assert fake_api.calls_to("sendDocument")[0].files["document"] == (
        "export é.csv",
        b"a,b\n1,2\n",
    )
    # The stored upload can be fetched back through getFile + the file endpoint.
    file = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_markup_errors_match_telegram(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(USER, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    await bot.send_message(USER, r"Done\. *bold* [link](https://x.y/a-b)", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER, "a<br>b", parse_mode=ParseMode.HTML)
    sent = await bot.send_message(USER, "<b>Hi</b> &amp; bye", parse_mode=ParseMode.HTML)
    assert sent.text == "Hi & bye"
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "x" * 4097)


async def test_commands_round_trip(bot: Bot, fake_api: FakeBotAPI) -> None:
    assert await bot.set_my_commands([("start", "Begin"), ("help", "Help")]) is True
    commands = await bot.get_my_commands()
    assert [(c.command, c.description) for c in commands] == [("start", "Begin"), ("help", "Help")]
    assert fake_api.commands()[0] == {"command": "start", "description": "Begin"}
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "Upper case is refused by Telegram")])


async def test_misc_true_methods(bot: Bot, fake_api: FakeBotAPI) -> None:
    sent = await bot.send_message(USER, "bye")
    assert await bot.delete_message(USER, sent.message_id) is True
    assert await bot.set_webhook("https://example.invalid/hook") is True
    assert fake_api.webhook_url == "https://example.invalid/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook() is True
    assert await bot.send_chat_action(USER, "typing") is True


@pytest.mark.parametrize(
    ("push", "check"),
    [
        (lambda f: f.push_photo(USER), lambda u: bool(u.message and u.message.photo)),
        (lambda f: f.push_sticker(USER), lambda u: bool(u.message and u.message.sticker)),
        (lambda f: f.push_voice(USER), lambda u: bool(u.message and u.message.voice)),
        (
            lambda f: f.push_edited_text(USER, "fixed"),
            lambda u: u.edited_message is not None and u.edited_message.text == "fixed",
        ),
        (
            lambda f: f.push_group_text(USER, -100, "hi all"),
            lambda u: u.message is not None and u.message.chat.type == "group",
        ),
        (
            lambda f: f.push_my_chat_member(USER),
            lambda u: u.my_chat_member is not None
            and u.my_chat_member.new_chat_member.status == "kicked",
        ),
        (
            lambda f: f.push_raw(
                {"channel_post": {"message_id": 1, "date": int(time.time()),
                                  "chat": {"id": -1001, "type": "channel", "title": "News"},
                                  "text": "post"}}
            ),
            lambda u: u.channel_post is not None and u.channel_post.text == "post",
        ),
    ],
)
async def test_pushed_updates_parse_in_ptb(
    bot: Bot,
    fake_api: FakeBotAPI,
    push: Callable[[FakeBotAPI], int],
    check: Callable[[Update], bool],
) -> None:
    update_id = push(fake_api)
    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    assert check(update)


async def test_unknown_token_and_method(bot: Bot, fake_api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake_api.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_wait_for_calls_since_mark(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.send_message(USER, "old")
    fake_api.mark()
    with pytest.raises(AssertionError, match="calls since mark"):
        fake_api.wait_for_calls(chat_id=USER, timeout=0.05)
    waiter = asyncio.create_task(
        asyncio.to_thread(fake_api.wait_for_calls, chat_id=USER, count=2, timeout=5)
    )
    await bot.send_message(USER, "new 1")
    await bot.send_message(USER, "new 2")
    calls = await waiter
    assert [c.text for c in calls] == ["new 1", "new 2"]
    assert fake_api.wait_for_text(USER, "2").text == "new 2"


def test_newer_poll_terminates_older(fake_api: FakeBotAPI) -> None:
    results: list[tuple[int, dict[str, object]]] = []
    older = _in_thread(lambda: results.append(_raw_post(fake_api, "getUpdates", {"timeout": "5"})))
    fake_api.wait_until_polling_blocked(timeout=5)
    assert _raw_post(fake_api, "getUpdates", {"timeout": "0"}) == (200, {"ok": True, "result": []})
    older.join(timeout=5)
    assert results and results[0][0] == 409


def test_stop_releases_long_poll() -> None:
    api = FakeBotAPI().start()
    outcome: list[int] = []
    poller = _in_thread(lambda: outcome.append(_poll_status(api)))
    api.wait_until_polling_blocked(timeout=5)
    started = time.monotonic()
    api.stop()
    poller.join(timeout=5)
    assert not poller.is_alive()
    assert time.monotonic() - started < 2
    assert outcome  # either an empty result or a closed connection, never a hang


def _poll_status(api: FakeBotAPI) -> int:
    """A stop may cut the answer at any point: a closed socket, a partial or empty body."""
    try:
        return _raw_post(api, "getUpdates", {"timeout": "30"})[0]
    except (OSError, ValueError, http.client.HTTPException):
        return -1


async def test_application_initialize_and_shutdown(fake_api: FakeBotAPI) -> None:
    app = (
        ApplicationBuilder()
        .token(fake_api.token)
        .base_url(fake_api.base_url)
        .base_file_url(fake_api.base_file_url)
        .build()
    )
    await app.initialize()
    assert app.bot.username == "mend_test_bot"
    await app.shutdown()
    assert [c.method for c in fake_api.calls] == ["getMe"]


async def test_application_polls_and_replies(fake_api: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"welcome {context.args}")

    app = (
        ApplicationBuilder()
        .token(fake_api.token)
        .base_url(fake_api.base_url)
        .base_file_url(fake_api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        assert app.updater is not None
        await app.start()
        await app.updater.start_polling()
        fake_api.push_text(USER, "/start abc")
        (reply,) = await asyncio.to_thread(fake_api.wait_for_calls, chat_id=USER, timeout=5)
        assert reply.text == "welcome ['abc']"
        await app.updater.stop()
        await app.stop()
    assert fake_api.pending_updates == 0  # the updater's shutdown confirmed the update


async def test_network_error_type_for_5xx(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "x")
    await bot.send_message(USER, "through")
