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
import math
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from bot import flood, metrics
from bot.mend_bot import MendBot
from bot.order import CONCURRENT_CHATS, ChatOrder
from bot.outbox import Dispatch
from bot.reminders import Reminders
from bot.sender import Sender
from bot.sender import split_text as split_text  # where it always was
from bot.service import Handled, Locked, Mend
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


async def send_replies(
    application: Application[Any, Any, Any, Any, Any, Any], chat_id: int, replies: Sequence[Reply]
) -> None:
    """Messages no event wrote down (an apology) leave the same way as every other one."""
    await dispatch_of(application).say(chat_id, replies)


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
        off_loop=mend.engine.dialect.name == "postgresql",
        work=lambda: mend.handle(
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
    if handled.clear_chat and handled.last_message_id:
        cleared = await bot.clear_recent(
            user.id, handled.last_message_id, handled.first_message_id
        )
        if not cleared:  # said plainly, with what they can do themselves
            replies = (*replies, Reply(content.text("exit", "partial")))
    await dispatch_of(context.application).answer(user.id, handled, replies)


async def patiently(
    bot: MendBot,
    waited: Callable[[int], None],
    work: Callable[[], Handled],
    *,
    off_loop: bool = False,
) -> Handled:
    """Someone else holds the database's lock: wait between tries without blocking the event
    loop (everyone else is served meanwhile); over a minute in all, then it is an error.

    `off_loop` (PostgreSQL): the unit of work runs in a worker thread, so its round trips to
    the server never hold up other chats; SQLite's are local and quicker on the loop."""
    for attempt in range(1, WAIT_TRIES + 1):
        try:
            return await asyncio.to_thread(work) if off_loop else work()
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
        await send_replies(context.application, chat.id, replies)
    except Exception as failure:  # the apology itself may fail (network, blocked)
        log.warning("could not apologise for update %s: %s", update_id, type(failure).__name__)


async def _start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await _set_commands(application)
    await dispatch_of(application).elect()  # the sender first sends what the last one left
    await _replay(application)


async def _replay(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Handle what was fetched before a crash and never handled, oldest first, once."""
    mend: Mend = application.bot_data["mend"]
    waiting = mend.waiting()
    if waiting:
        log.info("handling %d update(s) fetched before a restart", len(waiting))
    for _, body in waiting:
        await application.process_update(Update.de_json(json.loads(body), application.bot))


async def _orphans(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The sender takes up updates a replica accepted and died before handling (webhook:
    Telegram had its 200, so it will not send them again); the update id keeps a repeat
    from being applied twice."""
    mend: Mend = application.bot_data["mend"]
    left = await asyncio.to_thread(mend.orphaned, mend.clock())
    if left:
        log.info("handling %d update(s) another replica accepted and did not finish", len(left))
    for _, body in left:
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


OUTBOX_SECONDS = 1.0  # how often every replica tries the send lock, and the sender drains
DISPATCH = "dispatch"  # where the application keeps its way out (bot_data)


def dispatch_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Dispatch:
    """The process's way out. Without `start_outbox` (tests, benchmarks): this process
    sends, with no budget and no per-chat turns, and retries wait with `MendBot.wait`."""
    found = application.bot_data.get(DISPATCH)
    if isinstance(found, Dispatch):
        return found
    bot = application.bot
    assert isinstance(bot, MendBot)
    sender = Sender(bot, per_second=math.inf, per_chat_seconds=0.0, sleep=lambda s: bot.wait(s))
    made = Dispatch(application.bot_data["mend"], sender, channel=CHANNEL)
    application.bot_data[DISPATCH] = made
    return made


async def drain(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Send what the outbox holds that is due (see `bot.outbox`); how many letters went out."""
    return await dispatch_of(application).drain()


def start_outbox(
    application: Application[Any, Any, Any, Any, Any, Any],
    per_second: float = 25.0,
    per_chat_seconds: float = 1.0,
) -> Dispatch:
    """Everything this process sends goes within `per_second` and one turn a second per
    chat, and only while it holds the send lock (always on SQLite); a repeating job tries
    the lock and drains the outbox."""
    bot = application.bot
    assert isinstance(bot, MendBot)
    sender = Sender(bot, per_second, per_chat_seconds, sleep=lambda s: bot.wait(s))
    dispatch = Dispatch.for_database(application.bot_data["mend"], sender, channel=CHANNEL)
    application.bot_data[DISPATCH] = dispatch

    # Replicas share one inbox only on PostgreSQL; one process finds its own at start-up.
    shared = application.bot_data["mend"].engine.dialect.name == "postgresql"

    async def job(_: ContextTypes.DEFAULT_TYPE) -> None:
        await dispatch.tick()
        if shared and dispatch.leading and dispatch.due_for_orphans():
            await _orphans(application)

    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    queue.run_repeating(job, interval=OUTBOX_SECONDS, first=OUTBOX_SECONDS, name="outbox")
    return dispatch


def start_reminders(
    application: Application[Any, Any, Any, Any, Any, Any],
    mend: Mend,
    *,
    every_seconds: float,
    lease_seconds: float = 300.0,
) -> Reminders:
    """One repeating job on PTB's JobQueue (APScheduler, in-memory store) sweeps for due
    rituals, on the replica that is the sender (its budget covers reminders too)."""
    dispatch = dispatch_of(application)
    reminders = Reminders(
        mend.rituals,
        dispatch.sender,
        mend.clock,
        on_sent=lambda claimed, prompt: mend.offer_answer(
            claimed.channel, claimed.external_id, prompt
        ),
        lease=timedelta(seconds=lease_seconds),
        agreements=mend.agreements,
    )

    async def sweep(_: ContextTypes.DEFAULT_TYPE) -> None:
        if dispatch.leading:
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
