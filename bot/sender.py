"""Every message Mend sends goes out here: within one budget, paced per chat, never dropped
on a busy signal.

A global rate (the configured budget, 25 messages a second by default, under Telegram's
~30) and one turn a second per chat: all the messages of one answer go together in their
chat's turn, the next answer or reminder to that chat a second later. Answers people are
waiting for go before reminders, so a reminder wave never keeps a reply waiting. "Too many
requests" holds every send (not only the one refused) for the time Telegram asks, then the
refused one is tried again; a server error or a dropped connection backs off and tries
again; "blocked by the user" is reported so the person is left alone until they write again.

With several replicas only one of them sends (`gate`, the send lock): the budget is the
sum of everything sent, so it can only be kept where everything is sent.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import InputFile
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.keyboards import keyboard_json
from bot.mend_bot import MendBot, retry_seconds
from flows.core.contract import Attachment, Option, Reply

log = logging.getLogger("mend.sender")
CHATS_REMEMBERED = 10_000
TRIES = 4  # an answer's tries in place before it waits in the outbox instead
BACKOFF = 0.5  # seconds before an answer's second try after a server error; doubled each time
MAX_BACKOFF = 30.0
IN_PLACE = 10.0  # an answer never waits longer than this in place: it waits in the outbox
LOOK_AGAIN = 0.05  # seconds: the pacer's longest nap while messages wait for their chat's turn


class Sent(enum.Enum):
    OK = "ok"
    BLOCKED = "blocked"
    FAILED = "failed"  # gave up for now; the caller keeps it for a later try (or lets it go)


@dataclass(frozen=True, slots=True)
class Piece:
    """One message of a letter: a text with its buttons, or a file."""

    text: str = ""
    options: tuple[Option, ...] = ()
    file: Attachment | None = None
    markup: str | None = None  # buttons already serialised (a reminder's), else from `options`


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Sent
    done: int  # how many pieces went out (all of them when OK)
    retry_in: float | None = None  # FAILED: seconds until it is worth trying; None: never
    error: TelegramError | None = None


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


def pieces_of(replies: Sequence[Reply]) -> list[Piece]:
    """The messages replies become: long texts split, buttons on the last part, files after."""
    out: list[Piece] = []
    for reply in replies:
        if reply.text or not reply.attachments:
            chunks = split_text(reply.text)
            last = len(chunks) - 1
            out.extend(
                Piece(chunk, reply.options if n == last else ()) for n, chunk in enumerate(chunks)
            )
        out.extend(Piece(file=item) for item in reply.attachments)
    return out


def replies_of(pieces: Sequence[Piece]) -> tuple[Reply, ...]:
    """Pieces written back as replies (what is left of a letter), each as it would be sent."""
    return tuple(
        Reply("", (), (p.file,)) if p.file is not None else Reply(p.text, p.options) for p in pieces
    )


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


@dataclass(eq=False, slots=True)
class _Waiter:
    rank: int  # 0: an answer someone waits for; 1: a reminder
    seq: int
    chat_id: int | None
    not_before: float
    future: asyncio.Future[float]


class Pacer:
    """When each message may go: at most `per_second` in all, a chat's turns
    `per_chat_seconds` apart, answers before reminders, and nothing while Telegram asked
    everyone to wait.

    A message that may go at once goes at once (no task, no sleep): the common case costs
    a few comparisons. Otherwise it queues, and one task (the only one that sleeps here)
    hands out the turns in order. The clock never reads earlier than the end of a wait it
    knows of, so an injected sleep that does not really sleep still moves time on.
    """

    def __init__(
        self,
        per_second: float,
        per_chat_seconds: float,
        monotonic: Callable[[], float] = _loop_time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        # A hair over 1/rate, so rounding can never fit rate+1 messages into one second.
        self._gap = 0.0 if math.isinf(per_second) else (1.0 / per_second) * (1 + 1e-6)
        self._per_chat = per_chat_seconds
        self._monotonic = monotonic
        self._sleep = sleep
        self._free = -math.inf  # when the next message may go
        self._woke = -math.inf
        self._chats: OrderedDict[int, float] = OrderedDict()  # chat → its next turn
        self._queue: list[_Waiter] = []
        self._seq = itertools.count()
        self._ticker: asyncio.Task[None] | None = None

    def now(self) -> float:
        return max(self._monotonic(), self._woke)

    def waited(self, until: float) -> None:
        """Someone slept until `until` (a retry's wait): time has come that far."""
        self._woke = max(self._woke, until)

    def pause(self, seconds: float) -> None:
        """Telegram asked to wait: nothing goes before then."""
        self._free = max(self._free, self.now() + seconds)

    def paused_for(self) -> float:
        return max(0.0, self._free - self.now())

    async def turn(
        self, chat_id: int | None = None, *, urgent: bool = True, not_before: float = 0.0
    ) -> float:
        """Wait for the turn of one message (`chat_id`: the first of a letter, which takes
        the chat's turn); returns the moment it was given."""
        now = self.now()
        if not self._queue and now >= self._free and now >= self._ready(chat_id, not_before):
            return self._grant(chat_id, now)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(0 if urgent else 1, next(self._seq), chat_id, not_before, future)
        self._queue.append(waiter)
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick())
        try:
            return await future
        finally:
            if not future.done():  # cancelled while waiting: its place goes to the next
                future.cancel()

    def _ready(self, chat_id: int | None, not_before: float) -> float:
        if chat_id is None:
            return not_before
        return max(not_before, self._chats.get(chat_id, -math.inf))

    def _grant(self, chat_id: int | None, at: float) -> float:
        self._free = max(self._free, at) + self._gap
        if chat_id is not None and self._per_chat > 0:
            self._chats[chat_id] = at + self._per_chat
            self._chats.move_to_end(chat_id)
            while len(self._chats) > CHATS_REMEMBERED:
                self._chats.popitem(last=False)
        return at

    async def _tick(self) -> None:
        while True:
            self._queue = [w for w in self._queue if not w.future.done()]
            if not self._queue:
                return
            now = self.now()
            ready = [w for w in self._queue if self._ready(w.chat_id, w.not_before) <= now]
            if ready and now >= self._free:
                best = min(ready, key=lambda w: (w.rank, w.seq))
                self._queue.remove(best)
                best.future.set_result(self._grant(best.chat_id, now))
                continue
            soonest = min(self._ready(w.chat_id, w.not_before) for w in self._queue)
            until = max(self._free, soonest)
            if soonest > self._free:  # someone new may come who could go sooner
                until = min(until, now + LOOK_AGAIN)
            await self._sleep(until - now)
            self.waited(until)


class Sender:
    """The process's one way out to Telegram (see the module's docstring)."""

    def __init__(
        self,
        bot: MendBot,
        per_second: float = 25.0,
        per_chat_seconds: float = 1.0,
        tries: int = 6,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = _loop_time,
    ) -> None:
        self._bot = bot
        self._sleep = sleep
        self._tries = tries
        self.pacer = Pacer(per_second, per_chat_seconds, monotonic, sleep)
        self.gate: Callable[[], bool] = lambda: True
        """May this process send now? (With several replicas: does it hold the send lock?)"""
        self.retried_429 = 0
        self.message_ids: dict[int, int] = {}
        """chat → the id of the last message sent there (for the quick exit's reach)."""

    async def send(self, chat_id: int, text: str, markup_json: str | None = None) -> Sent:
        """One message nobody is waiting for (a reminder): after waiting answers, and tried in
        place up to `tries` times, however long Telegram asks to wait."""
        outcome = await self._go(
            chat_id,
            [Piece(text, markup=markup_json)],
            urgent=False,
            tries=self._tries,
            in_place=math.inf,
            backoff=1.0,
        )
        if outcome.result is Sent.FAILED and outcome.retry_in is None and outcome.error:
            log.warning("reminder not sent: %s", type(outcome.error).__name__)
        return outcome.result

    async def letter(
        self,
        chat_id: int,
        pieces: Sequence[Piece],
        *,
        tries: int = TRIES,
        in_place: float = IN_PLACE,
    ) -> Outcome:
        """All an event says to one chat, in order, in one turn of that chat. Waits that
        Telegram asks for are waited out here only up to `in_place` seconds; beyond that,
        or after `tries`, the outcome says when to try the rest again."""
        return await self._go(
            chat_id, pieces, urgent=True, tries=tries, in_place=in_place, backoff=BACKOFF
        )

    async def _go(
        self,
        chat_id: int,
        pieces: Sequence[Piece],
        *,
        urgent: bool,
        tries: int,
        in_place: float,
        backoff: float,
    ) -> Outcome:
        done = failures = 0
        chat: int | None = chat_id  # the chat's turn is taken by the first message only
        while done < len(pieces):
            if not self.gate():  # no longer the sender: what is left is someone else's
                return Outcome(Sent.FAILED, done, 0.0)
            if self.pacer.paused_for() > in_place:
                return Outcome(Sent.FAILED, done, self.pacer.paused_for())
            await self.pacer.turn(chat, urgent=urgent)
            chat = None
            if not self.gate():
                return Outcome(Sent.FAILED, done, 0.0)
            try:
                await self._one(chat_id, pieces[done])
            except RetryAfter as asked:
                seconds = retry_seconds(asked)
                self.retried_429 += 1
                self.pacer.pause(seconds)
                failures += 1
                if failures >= tries or seconds > in_place:
                    return Outcome(Sent.FAILED, done, seconds, asked)
                await self._wait(seconds)
            except Forbidden as closed:
                return Outcome(Sent.BLOCKED, done, None, closed)
            except BadRequest as refused:  # as it is, it can never go
                return Outcome(Sent.FAILED, done, None, refused)
            except NetworkError as problem:  # a 5xx or a dropped connection: it did not arrive
                failures += 1
                pause = min(backoff * 2 ** (failures - 1), MAX_BACKOFF)
                if failures >= tries:
                    return Outcome(Sent.FAILED, done, pause, problem)
                log.info("send failed (%s); retrying", type(problem).__name__)
                await self._wait(pause)
            except TelegramError as problem:
                return Outcome(Sent.FAILED, done, None, problem)
            else:
                done += 1
        return Outcome(Sent.OK, done)

    async def _wait(self, seconds: float) -> None:
        start = self.pacer.now()
        await self._sleep(seconds)
        self.pacer.waited(start + seconds)

    async def _one(self, chat_id: int, piece: Piece) -> None:
        if piece.file is None:
            markup = piece.markup
            if markup is None and piece.options:
                markup = keyboard_json(piece.options)
            answer = await self._bot.send_text(chat_id, piece.text, markup)
            if isinstance(answer, dict) and isinstance(answer.get("message_id"), int):
                self._note(chat_id, answer["message_id"])
            return
        file = InputFile(piece.file.data, filename=piece.file.filename)
        try:
            if piece.file.kind == "photo":
                sent = await self._bot.send_photo(chat_id, file)
            else:
                sent = await self._bot.send_document(chat_id, file)
        except TimedOut:  # it may well have arrived: no second copy
            log.info("a file timed out and may have been delivered")
            return
        self._note(chat_id, sent.message_id)

    def _note(self, chat_id: int, message_id: int) -> None:
        self.message_ids[chat_id] = message_id
        while len(self.message_ids) > CHATS_REMEMBERED:
            self.message_ids.pop(next(iter(self.message_ids)))
