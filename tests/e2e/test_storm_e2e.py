"""A flaky Telegram: one send in three fails with 500 and sends beyond a rate get 429. The
real process loses no reply (retries, then the outbox)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_mend_run import STARTUP, Bot
from tests.fakebotapi import FakeBotAPI

STARTING = range(8001, 8051)
ASKING = range(8101, 8151)
INTRO = "I help people rebuild trust"
HELP = "Here is what we can do together"


def test_one_send_in_three_failing_and_a_rate_limit_lose_no_reply(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    api = fake_api
    api.fail_every("sendMessage", 3, 500, "Internal Server Error")
    api.enforce_rate(40)
    bot = Bot(api, tmp_path)
    bot.start()
    try:
        api.wait_until_polled(timeout=STARTUP)
        api.mark()
        for starting, asking in zip(STARTING, ASKING, strict=True):
            api.push_text(starting, "/start")
            api.push_text(asking, "/help")
        for person, expected in [*((p, INTRO) for p in STARTING), *((p, HELP) for p in ASKING)]:
            api.wait_for_text(person, expected, timeout=120)
    finally:
        bot.stop()
    for person, expected in [*((p, INTRO) for p in STARTING), *((p, HELP) for p in ASKING)]:
        said = [t for t in api.texts(person) if expected in t]
        assert len(said) == 1, (person, "answered once", len(said))
