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


def test_partners_lose_nothing_in_the_same_storm(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    """Invites, joins, "your partner has joined" and shared statements, with one send in three
    failing: every partner delivery arrives, once."""
    from tests.e2e.test_partners_e2e import HONEST, onboard, say, tap

    api = fake_api
    api.fail_every("sendMessage", 3, 500, "Internal Server Error")
    api.enforce_rate(40)
    bot = Bot(api, tmp_path)
    bot.start()
    pairs = [(9000 + 2 * n, 9001 + 2 * n) for n in range(6)]
    try:
        api.wait_until_polled(timeout=STARTUP)
        for alex, sam in pairs:
            onboard(api, alex)
            tap(api, alex, "Not now", "/rituals")
            invite = say(api, alex, "/invite", "personal link")
            code = next(w for w in invite.split() if "start=" in w).split("start=", 1)[1]
            onboard(api, sam, f"/start {code}")
            api.wait_for_text(alex, "Your partner has joined", timeout=120)
            tap(api, sam, "Not now", "/rituals")
            say(api, alex, "/ready", "ready for steps for two")
            say(api, sam, "/ready", "ready for steps for two")
            say(api, alex, "/reframe", "What would you like to say")
            say(api, alex, HONEST, "Keep them as they are")
            tap(api, alex, "Send to my partner", "exactly what your partner will see")
            api.mark()
            api.click(alex, "Send it")
            api.wait_for_text(sam, "the evening went by without a word", timeout=120)
    finally:
        bot.stop()
    for alex, sam in pairs:
        joined = [t for t in api.texts(alex) if "Your partner has joined" in t]
        shared = [t for t in api.texts(sam) if "the evening went by without a word" in t]
        assert len(joined) == 1 and len(shared) == 1, (alex, sam, len(joined), len(shared))
