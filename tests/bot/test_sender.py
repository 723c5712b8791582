"""One message a second per chat, even when several reminders for one person go at once."""

from __future__ import annotations

import asyncio
import contextvars

from bot.mend_bot import MendBot
from bot.sender import Sender, Sent
from tests.conftest import TOKEN
from tests.fake_request import FakeRequest

WOKE: contextvars.ContextVar[float] = contextvars.ContextVar("woke", default=100.0)


class Clock:
    """A still clock; each send's own moment is when its wait would have ended."""

    def __call__(self) -> float:
        return 100.0

    async def sleep(self, seconds: float) -> None:  # nothing really sleeps
        WOKE.set(100.0 + seconds)
        await asyncio.sleep(0)


async def test_reminders_due_together_for_one_chat_are_a_second_apart() -> None:
    request = FakeRequest()
    bot = MendBot(TOKEN, request=request, get_updates_request=FakeRequest())
    await bot.initialize()
    clock = Clock()
    sent_at: list[float] = []
    sender = Sender(bot, per_second=1000, sleep=clock.sleep, monotonic=clock)
    original = bot.send_text

    async def timed(*args: object, **kwargs: object) -> object:
        sent_at.append(WOKE.get())
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    object.__setattr__(bot, "send_text", timed)
    results = await asyncio.gather(*(sender.send(42, f"ritual {n}") for n in range(5)))
    await bot.shutdown()
    assert results == [Sent.OK] * 5
    gaps = [b - a for a, b in zip(sorted(sent_at), sorted(sent_at)[1:], strict=False)]
    assert all(gap >= 1.0 for gap in gaps), gaps
