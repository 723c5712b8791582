"""The outbox: what an event says is kept until Telegram has it, and sent again later."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram.error import NetworkError
from telegram.ext import Application

from bot.mend_bot import MendBot
from bot.telegram_app import drain
from flows.core import content
from storage.outbox import GRACE
from tests.bot.test_partners import ALEX, HONEST, SAM, linked
from tests.conftest import FakeClock
from tests.fake_request import FakeRequest

App = Application[Any, Any, Any, Any, Any, Any]


def telegram_down_for(app: App, chat_id: int) -> list[bool]:
    """While the returned flag is up, every send to `chat_id` fails as a 502 would."""
    bot = app.bot
    assert isinstance(bot, MendBot)
    down = [True]
    send = bot.send_text

    async def flaky(chat: int, *args: Any, **kwargs: Any) -> Any:
        if chat == chat_id and down[0]:
            raise NetworkError("Bad Gateway")
        return await send(chat, *args, **kwargs)

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
    assert await drain(app) == 0, "not due yet: the adapter may still be sending it"
    clock.advance(seconds=GRACE.total_seconds() + 1)
    assert await drain(app) == 0, "Telegram is still down: it waits longer"
    down[0] = False
    clock.advance(minutes=5)
    assert await drain(app) == 1
    assert any(HONEST in c.text for c in request_log.sent(SAM)), "it arrives"
    clock.advance(hours=1)
    assert await drain(app) == 0, "and only once"


async def test_an_answer_that_could_not_be_sent_arrives_later(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock
) -> None:
    from tests.bot.test_telegram import Person

    person = Person(app, request_log, ALEX)
    down = telegram_down_for(app, ALEX)
    with contextlib.suppress(Exception):  # PTB hands the failure to the error handler
        await person.say("/help")
    down[0] = False
    clock.advance(seconds=GRACE.total_seconds() + 1)
    request_log.clear()
    assert await drain(app) == 1
    assert any("/reframe" in c.text for c in request_log.sent(ALEX)), "the help, as written"
