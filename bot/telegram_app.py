"""Mend on Telegram: turn updates into coach events and replies into messages.

One handler sees every update, so nothing odd slips past to crash the process; one error
handler logs without message text and apologises. Private chats only: in a group, what a
person shares would not stay between them and Mend.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, MessageLimit
from telegram.error import Forbidden, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from bot import flood, metrics
from bot.keyboards import keyboard_json
from bot.mend_bot import MendBot
from bot.order import CONCURRENT_CHATS, ChatOrder
from bot.reminders import Reminders
from bot.sender import Sender
from bot.service import Handled, Locked, Mend, draw
from bot.settings import TELEGRAM_API
from flows.coach import command_menu
from flows.core import content
from flows.core.contract import Choice, Command, Event, Reply, Text, Unsupported
from flows.language import classifier
from flows.language.normalise import clean

CHANNEL = "telegram"
SHORT_LABEL = 16
POOL_SIZE = 64
LOCK_PAUSE = 0.5  # seconds, growing to 5: twenty tries wait about a minute and a quarter
WAIT_TRIES = 20
PRIME = "prime_in_thread"
log = logging.getLogger("mend.telegram")


# --- updates → events -------------------------------------------------------------------------


def command_of(message: Message) -> Command | None:
    """A command, with or without the entity (some clients send none for typed text)."""
    text = message.text or ""
    entity = message.entities[0] if message.entities else None
    if entity is not None and entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
        word, args = text[1 : entity.length], text[entity.length :]
    elif text.startswith("/") and len(text) > 1 and text[1].isalnum():
        word, _, args = text[1:].partition(" ")
    else:
        return None
    return Command(word.split("@", 1)[0].lower(), args.strip())


def to_event(update: Update) -> Event | None:
    """What the person did, as the coach understands it; None when there is no one to answer."""
    if update.callback_query is not None:
        return Choice(clean(update.callback_query.data or ""))
    if update.edited_message is not None:
        return Unsupported("edit")
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        found = command_of(message)
        return Command(found.name, clean(found.args)) if found else Text(clean(message.text))
    if message.effective_attachment is not None:
        return Unsupported("media")
    return None  # a service message (a pin, an auto-delete timer): nothing to answer


# --- replies → messages -----------------------------------------------------------------------


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut at paragraph, then line, then word boundaries; never lose a character."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if cut < limit else rest[cut:]
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


async def send_replies(bot: MendBot, chat_id: int, replies: Sequence[Reply]) -> None:
    for reply in replies:
        chunks = split_text(reply.text)
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            markup = keyboard_json(reply.options) if last and reply.options else None
            await bot.send_text(chat_id, chunk, markup)
        for item in reply.attachments:
            file = InputFile(item.data, filename=item.filename)
            try:
                if item.kind == "photo":
                    await bot.send_photo(chat_id, file)
                else:
                    await bot.send_document(chat_id, file)
            except TimedOut:  # it may well have arrived: no second copy, no apology
                log.info("a file timed out and may have been delivered")


# --- handlers -----------------------------------------------------------------------------------


@metrics.handling
async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await flood.admitted(update, context):  # a chat over the flood limit is set aside
        await _answer(update, context)
    # Done only once its replies went out: a crash before this hands it over again at start.
    context.application.bot_data["mend"].settle(update.update_id)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.answer()  # stop the spinner; a press must count even if this fails
        except TelegramError as problem:
            log.info("could not answer a button press: %s", type(problem).__name__)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        message = update.message
        if message is not None and command_of(message) is not None:
            await context.bot.send_message(chat.id, content.text("global", "group_chat"))
        return
    event = to_event(update)
    if event is None:
        return
    mend: Mend = context.application.bot_data["mend"]
    message = update.effective_message
    if isinstance(event, Text) and context.application.bot_data.get(PRIME):
        # The model's pass (a few ms) runs off the event loop; the coach then finds it ready.
        # This update still waits for it, so one chat's messages keep their order.
        await asyncio.to_thread(classifier.prime, event.body)
    bot = context.bot
    assert isinstance(bot, MendBot)
    handled = await patiently(
        bot,
        mend.waited_for_lock,
        lambda: mend.handle(
            CHANNEL,
            str(user.id),
            event,
            update.update_id,
            message.message_id if message else None,
            patient=False,
            outbox=True,
        ),
    )
    # Private chats only: the person is both who wrote and where the answer goes.
    replies = handled.replies
    letters = list(handled.letters)
    own_letter = letters.pop(0) if letters else None
    delivered: list[int] = []
    if handled.clear_chat and handled.last_message_id:
        cleared = await bot.clear_recent(
            user.id, handled.last_message_id, handled.first_message_id
        )
        if not cleared:  # said plainly, with what they can do themselves
            replies = (*replies, Reply(content.text("exit", "partial")))
    # The partner's messages go first, so this person is never told "sent" for something
    # that did not arrive; a failure there never costs this chat its answer.
    for n, other in enumerate(handled.others):
        letter = letters[n] if n < len(letters) else None
        if other.channel != CHANNEL:
            delivered.extend(filter(None, (letter,)))  # no such chat here to send it to
            continue
        try:
            await send_replies(bot, int(other.external_id), other.replies)
            delivered.extend(filter(None, (letter,)))
        except TelegramError as problem:  # their chat may be closed, or Telegram is down
            log.info("could not reach a partner: %s", type(problem).__name__)
            closed = isinstance(problem, Forbidden)
            if closed:  # never deliverable: let it go, and say so
                delivered.extend(filter(None, (letter,)))
            sent = content.text("partner", "sent")
            replies = (
                *(r for r in replies if r.text != sent),
                Reply(content.text("partner", "not_delivered" if closed else "queued")),
            )
    await send_replies(bot, user.id, replies)
    delivered.extend(filter(None, (own_letter,)))
    if delivered:
        mend.delivered(delivered)


async def patiently(
    bot: MendBot, waited: Callable[[int], None], work: Callable[[], Handled]
) -> Handled:
    """Someone else holds the database's lock: wait between tries without blocking the event
    loop (everyone else is served meanwhile); over a minute in all, then it is an error."""
    for attempt in range(1, WAIT_TRIES + 1):
        try:
            return work()
        except Locked:
            if attempt == WAIT_TRIES:
                raise
            waited(attempt)
            await bot.wait(LOCK_PAUSE * min(attempt, 10))
    raise AssertionError("unreachable")  # pragma: no cover


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what broke (never what was written), say sorry, and show where the person is.

    The place shown is whatever was saved, so the person never answers the wrong question:
    if the save happened before the failure they see the next prompt, otherwise this one.
    """
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # The type and the stack only: an exception's message can quote what someone wrote.
    stack = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("update %s failed: %s\n%s", update_id, type(error).__name__, stack)
    if not isinstance(update, Update):
        return
    with contextlib.suppress(Exception):  # it failed once and was apologised for: not again
        context.application.bot_data["mend"].settle(update.update_id)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return
    bot = context.bot
    try:
        replies: list[Reply] = [Reply(content.text("global", "error_apology"))]
        with contextlib.suppress(Exception):
            mend: Mend = context.application.bot_data["mend"]
            replies.append(mend.where(CHANNEL, str(user.id)))
        assert isinstance(bot, MendBot)
        await send_replies(bot, chat.id, replies)
    except Exception as failure:  # the apology itself may fail (network, blocked)
        log.warning("could not apologise for update %s: %s", update_id, type(failure).__name__)


async def _start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await _set_commands(application)
    mend: Mend = application.bot_data["mend"]
    mend.outbox.all_due_now(mend.clock())  # what the last process left goes first
    await drain(application)
    await _replay(application)


async def _replay(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Handle what was fetched before a crash and never handled, oldest first, once."""
    mend: Mend = application.bot_data["mend"]
    waiting = mend.waiting()
    if waiting:
        log.info("handling %d update(s) fetched before a restart", len(waiting))
    for _, body in waiting:
        await application.process_update(Update.de_json(json.loads(body), application.bot))


async def _set_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    mend: Mend = application.bot_data["mend"]
    if application.bot.username:
        mend.invite_link = f"https://t.me/{application.bot.username}?start="
    commands = [BotCommand(name, text) for name, text in command_menu().items()]
    try:
        await application.bot.set_my_commands(commands)
    except Exception as failure:  # a menu is nice to have; not worth refusing to start
        log.warning("could not set the command menu: %s", type(failure).__name__)


DRAIN_SECONDS = 5.0


async def drain(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Send what the outbox still holds (a crash, Telegram down), oldest first; what fails
    again waits longer. Returns how many letters went out."""
    mend: Mend = application.bot_data["mend"]
    bot = application.bot
    assert isinstance(bot, MendBot)
    now = mend.clock()
    sent = 0
    for letter in mend.outbox.due(now):
        if letter.channel != CHANNEL:
            mend.delivered([letter.id])
            continue
        try:
            await send_replies(bot, int(letter.external_id), [draw(r) for r in letter.replies])
        except Forbidden:  # blocked: it can never arrive
            mend.delivered([letter.id])
        except TelegramError as problem:
            log.info("a kept message could not be sent yet: %s", type(problem).__name__)
            pause = timedelta(seconds=min(600, 5 * 2**letter.attempts))
            mend.outbox.later(letter.id, letter.attempts + 1, now + pause)
        else:
            mend.delivered([letter.id])
            sent += 1
    return sent


def start_outbox(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A repeating job sends what the outbox still holds."""

    async def job(_: ContextTypes.DEFAULT_TYPE) -> None:
        await drain(application)

    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    queue.run_repeating(job, interval=DRAIN_SECONDS, first=0.5, name="outbox")


def start_reminders(
    application: Application[Any, Any, Any, Any, Any, Any],
    mend: Mend,
    *,
    per_second: float,
    every_seconds: float,
    lease_seconds: float = 300.0,
) -> Reminders:
    """One repeating job on PTB's JobQueue (APScheduler, in-memory store) sweeps for due rituals."""
    bot = application.bot
    assert isinstance(bot, MendBot)
    reminders = Reminders(
        mend.rituals,
        Sender(bot, per_second=per_second),
        mend.clock,
        on_sent=lambda claimed, prompt: mend.offer_answer(
            claimed.channel, claimed.external_id, prompt
        ),
        lease=timedelta(seconds=lease_seconds),
        agreements=mend.agreements,
    )

    async def sweep(_: ContextTypes.DEFAULT_TYPE) -> None:
        await reminders.sweep()
        metrics.SWEEPS.beat()  # for /readyz: this replica's sweep is alive

    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    queue.run_repeating(sweep, interval=every_seconds, first=1.0, name="reminders")
    return reminders


def build_application(
    token: str,
    mend: Mend,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    prime_in_thread: bool = False,
    concurrent_chats: int = CONCURRENT_CHATS,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Updates of up to `concurrent_chats` chats run at once, each chat's in the order they
    came (`bot.order`).

    `prime_in_thread` runs the model's pass in a worker thread before the coach: it frees
    the event loop for those ~2 ms but cost throughput with updates handled one at a time
    (`make bench`: 669 vs 770 updates/s); with them concurrent it is not measured yet, so it
    stays off."""
    bot = MendBot(
        token,
        base_url=base_url or f"{TELEGRAM_API}/bot",
        base_file_url=base_file_url or f"{TELEGRAM_API}/file/bot",
        request=request or HTTPXRequest(connection_pool_size=POOL_SIZE),
        get_updates_request=get_updates_request or HTTPXRequest(),
    )
    bot.when_fetched(mend.keep)
    application = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(ChatOrder(concurrent_chats))
        .post_init(_start)
        .build()
    )
    application.bot_data["mend"] = mend
    application.bot_data[PRIME] = prime_in_thread
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


def run_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.run_polling(allowed_updates=Update.ALL_TYPES)
