"""The outbox: what an event says is kept until Telegram has it, and sent again later —
only what is left of it, and only once."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram.error import NetworkError
from telegram.ext import Application

from bot.mend_bot import MendBot
from bot.outbox import KEEP
from bot.telegram_app import dispatch_of, drain, start_outbox
from flows.core import content
from flows.core.contract import Reply
from storage.outbox import GRACE
from tests.bot.test_partners import ALEX, HONEST, SAM, linked
from tests.bot.test_send_budget import virtual_time
from tests.conftest import FakeClock
from tests.fake_request import FakeRequest

App = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture(autouse=True)
def waited(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses before trying again (nothing really sleeps)."""
    pauses: list[float] = []

    async def wait(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(MendBot, "wait", staticmethod(wait))
    return pauses


def telegram_down_for(app: App, chat_id: int, only: str | None = None) -> list[bool]:
    """While the returned flag is up, every send to `chat_id` (or only the text `only`)
    fails as a 502 would."""
    bot = app.bot
    assert isinstance(bot, MendBot)
    down = [True]
    send = bot.send_text

    async def flaky(chat: int, text: str, *args: Any, **kwargs: Any) -> Any:
        if chat == chat_id and down[0] and only in (None, text):
            raise NetworkError("Bad Gateway")
        return await send(chat, text, *args, **kwargs)

    object.__setattr__(bot, "send_text", flaky)
    return down


async def test_a_partner_delivery_that_fails_is_kept_and_sent_later(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock
) -> None:
    alex, _, _ = await linked(app, request_log)
    await alex.say("/reframe")
    await alex.say(HONEST)
    await alex.press("send")
    down = telegram_down_for(app, SAM)
    said = await alex.press("send")
    assert content.text("partner", "sent") not in said, "not sent yet, so not said"
    assert said[-1] == content.text("partner", "queued")
    assert not any(HONEST in c.text for c in request_log.sent(SAM))
    assert await drain(app) == 0, "not due yet: it waits a little before the next try"
    clock.advance(seconds=GRACE.total_seconds() + 1)
    assert await drain(app) == 0, "Telegram is still down: it waits longer"
    down[0] = False
    clock.advance(minutes=5)
    assert await drain(app) == 1
    assert any(HONEST in c.text for c in request_log.sent(SAM)), "it arrives"
    clock.advance(hours=1)
    assert await drain(app) == 0, "and only once"


async def test_an_answer_that_could_not_be_sent_arrives_later_without_an_apology(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock
) -> None:
    from tests.bot.test_telegram import Person

    person = Person(app, request_log, ALEX)
    down = telegram_down_for(app, ALEX)
    await person.say("/help")
    down[0] = False
    clock.advance(seconds=GRACE.total_seconds() + 1)
    request_log.clear()
    assert await drain(app) == 1
    said = [c.text for c in request_log.sent(ALEX)]
    assert any("/reframe" in s for s in said), "the help, as written"
    assert content.text("global", "error_apology") not in said, "kept, not failed"


async def test_what_went_out_before_a_failure_is_not_sent_again(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock
) -> None:
    now = clock()
    mend.outbox.add("telegram", str(ALEX), [Reply("first"), Reply("second")], now, now)
    down = telegram_down_for(app, ALEX, only="second")
    assert await drain(app) == 0, "the second part failed"
    down[0] = False
    clock.advance(minutes=5)
    assert await drain(app) == 1
    assert [c.text for c in request_log.sent(ALEX)] == ["first", "second"]


async def test_a_message_kept_for_over_a_day_is_let_go_without_its_words_in_the_log(
    app: App,
    request_log: FakeRequest,
    mend: Any,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = clock()
    mend.outbox.add("telegram", str(ALEX), [Reply("a private answer")], now, now)
    telegram_down_for(app, ALEX)
    caplog.set_level(logging.INFO)
    while clock() - now <= KEEP:
        await drain(app)
        clock.advance(minutes=10)
    assert await drain(app) == 0
    assert mend.outbox.count() == 0, "let go"
    assert "let go" in caplog.text and "a private answer" not in caplog.text
    assert request_log.sent(ALEX) == []


async def test_on_sqlite_the_one_process_is_the_sender_and_answers_at_once(
    app: App, request_log: FakeRequest, mend: Any
) -> None:
    from tests.bot.test_telegram import Person

    dispatch = start_outbox(app, per_second=25)
    assert dispatch_of(app) is dispatch
    assert await dispatch.elect() and dispatch.leading
    with virtual_time():  # paced, without really waiting
        said = await Person(app, request_log, ALEX).say("/help")
    assert any("/reframe" in s for s in said), "sent while the update was handled"
    assert mend.outbox.count() == 0, "and let go"
