"""The sender: one budget for everything, a chat's turns a second apart, answers first, and
"too many requests" honoured by every send, not only the one refused.

Time is the event loop's clock made virtual (`virtual_time`): it jumps ahead whenever
everyone waits, and each message is stamped with it, so the rate is counted per second of
that clock, never by the wall clock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram.request import RequestData

from bot.mend_bot import MendBot
from bot.sender import Piece, Sender, Sent
from tests.bot.test_send_budget import most_in_one_second, virtual_time
from tests.conftest import TOKEN
from tests.fake_request import FakeRequest


@dataclass
class Telegram(FakeRequest):
    """The Bot API, stamping each message with the (virtual) time it arrived; from
    `busy_from` until `busy_until` it refuses with 429 and asks for `retry_after` seconds."""

    now: Callable[[], float] = lambda: 0.0
    busy_from: float = 0.0
    busy_until: float = 0.0
    retry_after: int = 3
    arrived: list[tuple[float, int, str]] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *a: Any, **k: Any
    ) -> tuple[int, bytes]:
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if url.endswith("/sendMessage"):
            if self.busy_from <= self.now() < self.busy_until:
                self.refused.append(self.now())
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": self.retry_after},
                }
                return 429, json.dumps(body).encode()
            self.arrived.append((self.now(), int(params["chat_id"]), str(params["text"])))
        return await super().do_request(url, method, request_data, *a, **k)


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[Telegram, MendBot]]:
    with virtual_time() as now:
        api = Telegram(now=now)
        bot = MendBot(TOKEN, request=api, get_updates_request=FakeRequest())
        await bot.initialize()
        yield api, bot
        await bot.shutdown()


def sender_for(api: Telegram, bot: MendBot, per_second: float = 25.0) -> Sender:
    return Sender(bot, per_second=per_second)


async def test_reminders_due_together_for_one_chat_are_a_second_apart(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=1000)
    results = await asyncio.gather(*(sender.send(42, f"ritual {n}") for n in range(5)))
    assert results == [Sent.OK] * 5
    times = [t for t, _, _ in api.arrived]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times)), times


async def test_everything_sent_stays_within_the_budget_in_every_second(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=10)
    reminders = [sender.send(1000 + n, "ritual") for n in range(40)]
    answers = [sender.letter(n, [Piece("one"), Piece("two")]) for n in range(30)]
    await asyncio.gather(*reminders, *answers)
    assert len(api.arrived) == 40 + 60, "every one of them went"
    assert most_in_one_second([t for t, _, _ in api.arrived]) <= 10


async def test_answers_go_before_reminders_already_waiting(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=5)
    wave = [asyncio.ensure_future(sender.send(1000 + n, "ritual")) for n in range(20)]
    await asyncio.sleep(0)  # the wave is queued
    outcome = await sender.letter(7, [Piece("your answer")])
    assert outcome.result is Sent.OK
    position = [chat for _, chat, _ in api.arrived].index(7)
    assert position <= 2, "the answer did not wait for the wave"
    await asyncio.gather(*wave)


async def test_all_the_messages_of_an_answer_go_together_in_their_chat_s_turn(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=1000)
    await sender.letter(7, [Piece("a"), Piece("b"), Piece("c")])
    await sender.letter(7, [Piece("next answer")])
    times = [t for t, _, _ in api.arrived]
    assert times[2] - times[0] < 0.1, "one answer's messages are not a second apart"
    assert times[3] - times[0] >= 1.0, "the next answer takes the chat's next turn"


async def test_too_many_requests_holds_every_send_for_the_time_asked(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=10)
    api.busy_from, api.busy_until = api.now() + 0.05, api.now() + 0.5  # the second is refused
    results = await asyncio.gather(*(sender.send(1000 + n, "ritual") for n in range(10)))
    assert results == [Sent.OK] * 10
    assert len(api.refused) == 1, "one refusal held all the others back"
    refused = api.refused[0]
    assert not [t for t, _, _ in api.arrived if refused <= t < refused + 3], "none went meanwhile"
    assert sender.retried_429 == 1


async def test_an_answer_refused_for_long_says_what_is_left_and_when(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot, per_second=100)
    await sender.letter(7, [Piece("warm up")])
    api.retry_after = 60
    api.busy_until = api.now() + 1  # the next one meets the refusal
    outcome = await sender.letter(8, [Piece("first")], in_place=10)
    assert outcome.result is Sent.FAILED and outcome.retry_in == 60
    assert outcome.done == 0
    api.busy_until = 0
    later = await sender.letter(9, [Piece("another")], in_place=10)
    assert later.result is Sent.FAILED and later.done == 0, "nothing goes while paused"
    assert [text for _, _, text in api.arrived] == ["warm up"]


async def test_a_sender_that_is_not_the_sender_sends_nothing(
    telegram: tuple[Telegram, MendBot],
) -> None:
    api, bot = telegram
    sender = sender_for(api, bot)
    sender.gate = lambda: False
    assert await sender.send(42, "ritual") is Sent.FAILED
    outcome = await sender.letter(42, [Piece("a"), Piece("b")])
    assert outcome.result is Sent.FAILED and outcome.done == 0 and outcome.retry_in == 0.0
    assert api.arrived == []
