"""A per-chat flood limit: one chat cannot take the bot away from everyone else.

A chat that sends more than `LIMIT` updates within `WINDOW` seconds (a stuck client, a
script, someone pasting line by line) is told once, kindly, that it is a lot at once; the
rest of what comes in that window is set aside without being read. The caller still records
each set-aside update as handled, so Telegram does not deliver it again.

The window slides: each chat keeps the times of its last `LIMIT` updates that went through
(a plain list: a chat that sends two costs about 190 bytes, a deque would cost 870), so
memory per chat is bounded and a chat is let through again as soon as its oldest update
leaves the window. The kind answer goes at most once a window, however long the flood lasts.

Counted per process: with several replicas behind a webhook, one chat's updates may be
spread over them, so the limit is per replica. No library fitted: `aiolimiter` paces one
shared budget rather than one per key, and the per-key limiters on PyPI read the system
clock, where tests need to move time by hand.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from flows.core import content

LIMIT = 20  # updates a chat may send…
WINDOW = 10.0  # …within this many seconds
GATE = "flood_gate"  # where the application keeps its gate (bot_data)
log = logging.getLogger("mend.flood")


class Verdict(enum.Enum):
    PASS = "pass"  # handle it
    WARN = "warn"  # the first over the limit in this window: say so, then set it aside
    DROP = "drop"  # over the limit, already told: set it aside quietly


class FloodGate:
    """The rule itself, with the clock injected (seconds, monotonic) so tests move time."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._passed: dict[int, list[float]] = {}
        self._warned: dict[int, float] = {}
        self._tidied = clock()

    def check(self, chat_id: int) -> Verdict:
        """Count one update from `chat_id` and say what to do with it."""
        now = self.clock()
        since = now - self.window
        self._tidy(now)
        times = self._passed.setdefault(chat_id, [])
        while times and times[0] <= since:
            del times[0]  # at most `limit` of them
        if len(times) < self.limit:
            times.append(now)
            return Verdict.PASS
        told = self._warned.get(chat_id)
        if told is not None and told > since:
            return Verdict.DROP
        self._warned[chat_id] = now
        return Verdict.WARN

    def _tidy(self, now: float) -> None:
        """Once a window, forget chats that have gone quiet, so memory follows the chats
        active right now, not every chat ever seen."""
        if now - self._tidied < self.window:
            return
        self._tidied = now
        since = now - self.window
        for chat_id in [c for c, times in self._passed.items() if not times or times[-1] <= since]:
            del self._passed[chat_id]
        for chat_id in [c for c, told in self._warned.items() if told <= since]:
            del self._warned[chat_id]

    def __len__(self) -> int:
        """How many chats it remembers (for tests: it must not grow without end)."""
        return len(self._passed)


async def admitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether to handle this update; a chat over the limit is told once and no more."""
    chat = update.effective_chat
    if chat is None:
        return True
    gate = context.application.bot_data.get(GATE)
    if gate is None:  # one per application, made on its first update
        gate = context.application.bot_data[GATE] = FloodGate()
    assert isinstance(gate, FloodGate)
    verdict = gate.check(chat.id)
    if verdict is Verdict.PASS:
        return True
    if verdict is Verdict.WARN:
        log.info("a chat sent over %d updates in %gs: some set aside", gate.limit, gate.window)
        if chat.type == ChatType.PRIVATE:  # Mend talks in private chats only
            try:
                await context.bot.send_message(chat.id, content.text("flood"))
            except TelegramError as problem:
                log.info("could not say so: %s", type(problem).__name__)
    return False
