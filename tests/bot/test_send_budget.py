"""One send budget across replicas: one elected sender, a fast takeover, nothing lost under
throttling.

Two replicas run in this one process on one PostgreSQL database, each with its own Bot API
(a recording fake request): the one holding the send lock sends everything, the other hands
its letters over. Time is the event loop's own clock made virtual: it jumps to the next
timer whenever nothing is ready, so a minute of throttling takes milliseconds and every
message is stamped with the second it went out in that clock (never the wall clock).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from telegram.ext import Application
from telegram.request import RequestData

from bot.outbox import Dispatch
from bot.service import Mend
from bot.telegram_app import OUTBOX_SECONDS, build_application, start_outbox
from flows.core import content
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine
from storage.outbox import AdvisoryLock
from tests.conftest import POSTGRES_URL, TOKEN, feed
from tests.fake_request import FakeRequest
from tests.updates import text_update

App = Application[Any, Any, Any, Any, Any, Any]
BUDGET = 5.0  # messages a second, in all
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@contextmanager
def virtual_time() -> Iterator[Callable[[], float]]:
    """The running loop's clock jumps to its next timer whenever nothing is ready.

    Real I/O (the database's answers, a NOTIFY) gets a few real milliseconds first, so the
    clock only jumps when the loop would really be idle."""
    loop = asyncio.get_running_loop()
    selector: Any = getattr(loop, "_selector")  # noqa: B009  (the selector loop's own)
    real_time, real_select = loop.time, selector.select
    ahead = [0.0]

    def now() -> float:
        return real_time() + ahead[0]

    def select(timeout: float | None = None) -> Any:
        events = real_select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            return real_select(None)
        events = real_select(min(timeout, 0.005))
        if not events:
            ahead[0] += timeout
        return events

    loop.time = now  # type: ignore[method-assign]
    selector.select = select
    try:
        yield now
    finally:
        loop.time = real_time  # type: ignore[method-assign]
        selector.select = real_select


@dataclass
class Telegram(FakeRequest):
    """One replica's Bot API. Every message is written to the shared `log` with the virtual
    second it went out and the replica that sent it; while `busy_until` is ahead, messages
    are refused with 429 and `retry_after`."""

    name: str = ""
    now: Callable[[], float] = lambda: 0.0
    log: list[tuple[float, str, int, str]] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)
    busy_until: float = 0.0
    retry_after: int = 5
    hold: asyncio.Event | None = None  # while set up and not set, sends hang (a dying process)

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *a: Any, **k: Any
    ) -> tuple[int, bytes]:
        if url.endswith(("/sendMessage", "/sendPhoto", "/sendDocument")):
            if self.hold is not None:
                await self.hold.wait()
            params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
            if self.now() < self.busy_until:
                self.refused.append(self.now())
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry later",
                    "parameters": {"retry_after": self.retry_after},
                }
                return 429, json.dumps(body).encode()
            self.log.append(
                (self.now(), self.name, int(params["chat_id"]), str(params.get("text", "")))
            )
        return await super().do_request(url, method, request_data, *a, **k)


@dataclass
class Replica:
    mend: Mend
    app: App
    api: Telegram
    dispatch: Dispatch


@pytest.fixture
async def replicas(postgres: Engine) -> AsyncIterator[tuple[Replica, Replica, Callable[[], float]]]:
    cipher = TextCipher([new_key().encode()])
    sent: list[tuple[float, str, int, str]] = []
    made: list[Replica] = []
    engines: list[Engine] = []
    with virtual_time() as now:

        def clock() -> datetime:
            return START + timedelta(seconds=now())

        for name in ("a", "b"):
            engine = make_engine(POSTGRES_URL)
            engines.append(engine)
            mend = Mend(engine, cipher, clock)
            api = Telegram(name=name, now=now, log=sent)
            app = build_application(TOKEN, mend, request=api, get_updates_request=FakeRequest())
            await app.initialize()
            made.append(Replica(mend, app, api, start_outbox(app, per_second=BUDGET)))
        try:
            yield made[0], made[1], now
        finally:
            for replica in made:
                await replica.dispatch.lock.release()
                await replica.app.shutdown()
                replica.mend.close()
            for engine in engines:
                engine.dispose()


@pytest.fixture
async def alone(db_url: str) -> AsyncIterator[tuple[Replica, Callable[[], float]]]:
    """One process on SQLite, as `mend run` is by default."""
    with virtual_time() as now:
        engine = make_engine(db_url)
        mend = Mend(
            engine, TextCipher([new_key().encode()]), lambda: START + timedelta(seconds=now())
        )
        api = Telegram(name="alone", now=now)
        app = build_application(TOKEN, mend, request=api, get_updates_request=FakeRequest())
        await app.initialize()
        try:
            yield Replica(mend, app, api, start_outbox(app, per_second=BUDGET)), now
        finally:
            await app.shutdown()
            mend.close()
            engine.dispose()


def most_in_one_second(times: list[float]) -> int:
    """The most messages inside any one-second window."""
    times = sorted(times)
    return max(
        (sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0
    )


def answers_by_chat(log: list[tuple[float, str, int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for _, _, chat_id, said in log:
        out.setdefault(chat_id, []).append(said)
    return out


async def everyone_says_start(replica: Replica, people: range, first_id: int) -> None:
    await asyncio.gather(
        *(
            feed(replica.app, text_update(first_id + n, uid, "/start"))
            for n, uid in enumerate(people)
        )
    )


async def run_jobs_until_sent(*replicas: Replica, rounds: int = 600) -> None:
    """What the job queue does every second on each replica, until the outbox is empty."""
    for _ in range(rounds):
        if replicas[0].mend.outbox.count() == 0:
            return
        for replica in replicas:
            await replica.dispatch.tick()
        await asyncio.sleep(OUTBOX_SECONDS)
    raise AssertionError("the outbox never emptied")


async def test_two_replicas_send_through_one_sender_within_one_budget(
    replicas: tuple[Replica, Replica, Callable[[], float]],
) -> None:
    a, b, _ = replicas
    assert await a.dispatch.elect(), "the first to ask is the sender"
    assert not await b.dispatch.elect(), "the lock is taken: the other hands over"
    through_a, through_b = range(5001, 5031), range(6001, 6031)
    await asyncio.gather(
        everyone_says_start(a, through_a, 1), everyone_says_start(b, through_b, 1001)
    )
    await run_jobs_until_sent(a, b)
    assert b.api.sent() == [], "the replica that is not the sender sent nothing"
    answers = answers_by_chat(a.api.log)
    assert set(answers) == {*through_a, *through_b}, "everyone was answered"
    first = answers[through_a[0]]
    assert all(said == first for said in answers.values()), "each answer exactly once"
    assert most_in_one_second([t for t, *_ in a.api.log]) <= BUDGET


async def test_a_handed_over_answer_is_sent_at_once_on_the_sender_s_notice(
    replicas: tuple[Replica, Replica, Callable[[], float]],
) -> None:
    a, b, now = replicas
    assert await a.dispatch.elect() and not await b.dispatch.elect()
    before = now()
    await feed(b.app, text_update(1, 7001, "/start"))
    assert b.mend.outbox.count() == 1, "kept, and handed to the sender"
    for _ in range(100):  # no job runs here: only the NOTIFY can start the sender's drain
        if b.mend.outbox.count() == 0:
            break
        await asyncio.sleep(0.01)
    assert a.api.sent(7001), "the sender sent it"
    assert now() - before < OUTBOX_SECONDS, "before any job would have"


async def test_when_the_sender_dies_the_other_takes_over_and_everything_arrives_once(
    replicas: tuple[Replica, Replica, Callable[[], float]], postgres: Engine
) -> None:
    a, b, _ = replicas
    assert await a.dispatch.elect() and not await b.dispatch.elect()
    a.api.hold = asyncio.Event()  # a's sends hang: it dies in the middle of them
    people = range(8001, 8011)
    await everyone_says_start(b, people, 1)
    for _ in range(5):  # a's drain (woken by the NOTIFY) has taken the letters and is stuck
        await asyncio.sleep(0.1)
    assert b.mend.outbox.count() == len(people) and a.api.log == [], "taken, none sent yet"
    lock = a.dispatch.lock
    assert isinstance(lock, AdvisoryLock) and lock.backend_pid is not None
    with postgres.begin() as conn:  # the process is gone: PostgreSQL closes its session
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lock.backend_pid})
    await asyncio.wait_for(lock.stepped_down(), timeout=30)
    assert not a.dispatch.leading, "it knows it is no longer the sender"
    for task in list(a.dispatch._woken):  # and its half-done sends die with it
        task.cancel()
    assert await b.dispatch.elect(), "the other takes over at its next try"
    await run_jobs_until_sent(b)
    answers = answers_by_chat(b.api.log)
    assert set(answers) == set(people)
    first = answers[people[0]]
    assert all(said == first for said in answers.values()), "each answer exactly once"
    a.api.hold.set()
    await asyncio.sleep(1)
    assert [who for _, who, *_ in a.api.log] == ["b"] * len(a.api.log), "a sent nothing more"


async def test_under_throttling_no_answer_is_lost_and_the_wait_asked_for_is_kept(
    replicas: tuple[Replica, Replica, Callable[[], float]],
) -> None:
    a, b, now = replicas
    assert await a.dispatch.elect() and not await b.dispatch.elect()
    a.api.busy_until = now() + 60  # a minute of "too many requests, retry after 5"
    through_a, through_b = range(5001, 5061), range(6001, 6061)
    await asyncio.gather(
        everyone_says_start(a, through_a, 1), everyone_says_start(b, through_b, 1001)
    )
    await run_jobs_until_sent(a, b)
    answers = answers_by_chat(a.api.log)
    assert set(answers) == {*through_a, *through_b}, "nobody's answer was lost"
    first = answers[through_a[0]]
    assert all(said == first for said in answers.values()), "each answer exactly once"
    apology = content.text("global", "error_apology")
    assert not any(apology in said for said in first), "no apology: nothing went wrong"
    attempts = sorted([*a.api.refused, *(t for t, *_ in a.api.log)])
    for refused in a.api.refused:
        assert not [t for t in attempts if refused < t < refused + a.api.retry_after], (
            "nothing was tried while Telegram asked to wait"
        )
    assert most_in_one_second([t for t, *_ in a.api.log]) <= BUDGET
    assert b.api.sent() == []


async def test_on_sqlite_one_process_sends_and_under_throttling_loses_nothing(
    alone: tuple[Replica, Callable[[], float]],
) -> None:
    one, now = alone
    assert await one.dispatch.elect(), "on SQLite the process is the sender"
    one.api.busy_until = now() + 30
    people = range(5001, 5041)
    await everyone_says_start(one, people, 1)
    await run_jobs_until_sent(one)
    answers = answers_by_chat(one.api.log)
    assert set(answers) == set(people)
    first = answers[people[0]]
    assert all(said == first for said in answers.values()), "each answer exactly once"
    for refused in one.api.refused:
        assert not [t for t, *_ in one.api.log if refused < t < refused + one.api.retry_after]
    assert most_in_one_second([t for t, *_ in one.api.log]) <= BUDGET
