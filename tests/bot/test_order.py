"""Updates run concurrently, each chat's one at a time in the order they came.

The gates are asyncio events: a chat's reply is held until the test lets it go, so what
may and may not have happened meanwhile is certain, with no sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application
from telegram.request import RequestData

from bot.order import ChatOrder, chat_key
from bot.service import Mend
from bot.telegram_app import build_application
from storage.crypto import TextCipher
from tests.conftest import TOKEN, FakeClock, feed
from tests.fake_request import FakeRequest
from tests.updates import callback_update, text_update

App = Application[Any, Any, Any, Any, Any, Any]
ALEX, BEA, CAL = 2001, 2002, 2003
WAIT = 10.0  # seconds: only a guard against a hang; every wait ends on an event


class GatedRequest(FakeRequest):
    """The fake Bot API, where a message to a held chat waits until the test opens its gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gates: dict[int, asyncio.Event] = {}
        self.arrived: dict[int, asyncio.Event] = {}

    def hold(self, chat_id: int) -> asyncio.Event:
        self.gates[chat_id] = asyncio.Event()
        return self.gates[chat_id]

    def answered(self, chat_id: int) -> asyncio.Event:
        self.arrived[chat_id] = asyncio.Event()
        return self.arrived[chat_id]

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *a: Any, **k: Any
    ) -> tuple[int, bytes]:
        answer = await super().do_request(url, method, request_data, *a, **k)
        chat_id = int(str((request_data.parameters if request_data else {}).get("chat_id", 0)))
        if url.endswith("/sendMessage"):
            if chat_id in self.arrived:
                self.arrived[chat_id].set()
            if chat_id in self.gates:
                await self.gates[chat_id].wait()
        return answer


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Engine:
    """The same story on SQLite and (where there is one) on PostgreSQL."""
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres")
        return engine
    engine = request.getfixturevalue("engine")
    return engine


@pytest.fixture
async def running(
    store: Engine, cipher: TextCipher, clock: FakeClock
) -> AsyncIterator[tuple[App, GatedRequest, Mend]]:
    """The bot as `mend run` builds it, taking updates from PTB's queue as polling puts them."""
    gated = GatedRequest()
    mend = Mend(store, cipher, clock)
    application = build_application(TOKEN, mend, request=gated, get_updates_request=FakeRequest())
    await application.initialize()
    await application.start()
    yield application, gated, mend
    for gate in gated.gates.values():  # a failed test must not leave a reply held forever
        gate.set()
    if application.running:
        await application.stop()
    await application.shutdown()
    mend.close()


async def put(application: App, payload: dict[str, Any]) -> None:
    await application.update_queue.put(Update.de_json(payload, application.bot))


def said(request: FakeRequest, chat_id: int) -> list[str]:
    return [c.text for c in request.sent(chat_id)]


def applied(mend: Mend, chat_id: int) -> list[int]:
    loaded = mend.store.load("telegram", str(chat_id), datetime.now(UTC), create=False)
    return [int(i) for i in loaded.recent_updates.split(",") if i]


async def test_one_chats_updates_wait_their_turn_while_other_chats_go_on(
    running: tuple[App, GatedRequest, Mend],
) -> None:
    application, gated, mend = running
    # What one person sees when the same two updates are handled strictly one by one.
    await feed(application, text_update(1, CAL, "/start"))
    await feed(application, callback_update(2, CAL, "onboarding.intro.ok"))
    one_by_one = said(gated, CAL)
    assert len(one_by_one) == 2 and one_by_one[0] != one_by_one[1]

    alex_held = gated.hold(ALEX)
    alex_first = gated.answered(ALEX)
    bea_answered = gated.answered(BEA)
    await put(application, text_update(11, ALEX, "/start"))
    await put(application, callback_update(12, ALEX, "onboarding.intro.ok"))
    await put(application, text_update(13, BEA, "/start"))

    await asyncio.wait_for(alex_first.wait(), WAIT)
    await asyncio.wait_for(bea_answered.wait(), WAIT)
    # Bea was answered while Alex's first reply is still on its way ...
    assert said(gated, BEA) == one_by_one[:1]
    # ... and Alex's button press has not begun: not answered, not applied, not replied to.
    pressed = [c.params.get("callback_query_id") for c in gated.calls]
    assert "cb12" not in pressed
    assert applied(mend, ALEX) == [11]
    assert said(gated, ALEX) == one_by_one[:1]

    alex_held.set()
    await application.stop()  # returns once every update taken from the queue is done
    assert said(gated, ALEX) == one_by_one, "in order, and the press was not taken as stale"
    assert "cb12" in [c.params.get("callback_query_id") for c in gated.calls]
    assert applied(mend, ALEX) == [11, 12], "neither update was lost"
    assert applied(mend, BEA) == [13]


# --- the processor on its own ------------------------------------------------------------------


class Script:
    """Stand-in handlers: each records when it starts and finishes; some wait for a gate."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.started: dict[str, asyncio.Event] = {}

    def step(self, name: str, gate: asyncio.Event | None = None) -> Awaitable[None]:
        self.started[name] = asyncio.Event()

        async def run() -> None:
            self.log.append(f"{name} start")
            self.started[name].set()
            if gate is not None:
                await gate.wait()
            self.log.append(f"{name} end")

        return run()


def update_of(update_id: int, chat_id: int) -> Update:
    return Update.de_json(text_update(update_id, chat_id, "hi"), None)


async def test_a_busy_chat_holds_one_place_not_one_per_waiting_message() -> None:
    order = ChatOrder(max_concurrent_updates=2)
    script = Script()
    alex_gate = asyncio.Event()
    tasks = [
        asyncio.create_task(order.process_update(update_of(1, ALEX), script.step("a1", alex_gate)))
    ]
    tasks += [
        asyncio.create_task(order.process_update(update_of(n, ALEX), script.step(f"a{n}")))
        for n in (2, 3, 4)
    ]
    tasks.append(asyncio.create_task(order.process_update(update_of(5, BEA), script.step("b5"))))
    done = asyncio.gather(*tasks)
    await asyncio.wait_for(script.started["b5"].wait(), WAIT)
    assert script.log == ["a1 start", "b5 start", "b5 end"], "Bea is served while Alex waits"
    alex_gate.set()
    await asyncio.wait_for(done, WAIT)
    rest = [f"a{n} {edge}" for n in (2, 3, 4) for edge in ("start", "end")]
    assert script.log[3:] == ["a1 end", *rest], "Alex's in the order they came"


async def test_a_failure_does_not_cost_the_chat_the_updates_after_it() -> None:
    order = ChatOrder()
    script = Script()
    gate = asyncio.Event()

    async def broken() -> None:
        await gate.wait()
        raise RuntimeError("inside PTB's dispatch")

    first = asyncio.create_task(order.process_update(update_of(1, ALEX), broken()))
    second = asyncio.create_task(order.process_update(update_of(2, ALEX), script.step("a2")))
    await second  # it only joined Alex's line
    gate.set()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(first, WAIT)  # reported as PTB would report it ...
    assert script.log == ["a2 start", "a2 end"]  # ... after the line was served


def test_what_has_no_chat_keeps_no_order() -> None:
    assert chat_key(update_of(1, ALEX)) == ALEX
    assert chat_key(Update(update_id=3)) is None
    assert chat_key("a custom update") is None
