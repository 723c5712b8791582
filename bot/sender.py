"""Sending reminders within Telegram's limits, and never dropping one on a busy signal.

A global rate (25 messages a second by default, under Telegram's ~30) and at most one
message a second per chat. "Too many requests" waits the time Telegram asks and tries again;
a network error backs off and tries again; "blocked by the user" is reported so the person
is left alone until they write again.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.mend_bot import MendBot, retry_seconds

log = logging.getLogger("mend.sender")
CHATS_REMEMBERED = 10_000


class Sent(enum.Enum):
    OK = "ok"
    BLOCKED = "blocked"
    FAILED = "failed"  # gave up for now; the claim is released and a later sweep retries


class Sender:
    def __init__(
        self,
        bot: MendBot,
        per_second: float = 25.0,
        per_chat_seconds: float = 1.0,
        tries: int = 6,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        # A tenth of a second's worth at most in one go, refilled at the rate: an even pace
        # with a small burst, so a server counting per second never sees more than the rate.
        burst = max(1.0, per_second / 10)
        self._limiter = AsyncLimiter(burst, burst / per_second)
        self._per_chat = per_chat_seconds
        self._tries = tries
        self._sleep = sleep
        self._monotonic = monotonic
        self._last: OrderedDict[int, float] = OrderedDict()
        self.retried_429 = 0
        self.message_ids: dict[int, int] = {}
        """chat → the id of the last message sent there (for the quick exit's reach)."""

    async def _chat_turn(self, chat_id: int) -> None:
        """Take this chat's next free second before waiting for it, so sends to one chat that
        run at once (several rituals due together) queue up instead of all going at once."""
        now = self._monotonic()
        last = self._last.get(chat_id)
        slot = now if last is None else max(now, last + self._per_chat)
        self._last[chat_id] = slot
        self._last.move_to_end(chat_id)
        if slot > now:
            await self._sleep(slot - now)
        while len(self._last) > CHATS_REMEMBERED:
            self._last.popitem(last=False)

    async def send(self, chat_id: int, text: str, markup_json: str | None = None) -> Sent:
        backoff = 1.0
        for _ in range(self._tries):
            await self._chat_turn(chat_id)
            async with self._limiter:
                try:
                    answer = await self._bot.send_text(chat_id, text, markup_json, tries=1)
                    if isinstance(answer, dict) and isinstance(answer.get("message_id"), int):
                        self.message_ids[chat_id] = answer["message_id"]
                        while len(self.message_ids) > CHATS_REMEMBERED:
                            self.message_ids.pop(next(iter(self.message_ids)))
                    return Sent.OK
                except RetryAfter as wait:
                    self.retried_429 += 1
                    await self._sleep(retry_seconds(wait))
                except Forbidden:
                    return Sent.BLOCKED
                except (TimedOut, NetworkError) as problem:
                    log.info("send failed (%s); retrying", type(problem).__name__)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                except TelegramError as problem:
                    log.warning("reminder not sent: %s", type(problem).__name__)
                    return Sent.FAILED
        return Sent.FAILED
