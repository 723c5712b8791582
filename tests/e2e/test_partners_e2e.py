"""Partner mode through the real `mend run` process, with two people on a fake Bot API:
invite, join, share a statement, both check in, an "ours" ritual reaching both, a co-signed
agreement, unlink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.crypto import new_key
from storage.engine import make_engine, sqlite_url
from tests.e2e.test_mend_run import Bot
from tests.fakebotapi import FakeBotAPI

ALEX, SAM = 515001, 515002
WAIT = 30.0
HONEST = "I felt lonely when the evening went by without a word, because I need closeness"


def say(api: FakeBotAPI, who: int, words: str, expect: str) -> str:
    api.mark()
    api.push_text(who, words)
    return api.wait_for_text(who, expect, timeout=WAIT).text or ""


def tap(api: FakeBotAPI, who: int, label: str, expect: str, *, chat: int | None = None) -> str:
    api.mark()
    api.click(who, label)
    return api.wait_for_text(chat or who, expect, timeout=WAIT).text or ""


def onboard(api: FakeBotAPI, who: int, start: str = "/start") -> None:
    say(api, who, start, "not a therapist")
    tap(api, who, "I understand", "Is that okay with you?")
    tap(api, who, "Yes, keep my words", "closest to where you are")
    tap(api, who, "A bit of both", "afraid of your partner")
    tap(api, who, "No, I feel safe with them", "daily moment")


def test_two_partners_end_to_end(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_api
    monkeypatch.setenv("MEND_SECRET_KEY", new_key())
    monkeypatch.setenv("REMINDER_SWEEP_SECONDS", "1")
    bot = Bot(api, tmp_path)
    bot.start()
    try:
        api.wait_until_polled(timeout=WAIT)
        onboard(api, ALEX)
        tap(api, ALEX, "Not now", "/rituals")
        invite = say(api, ALEX, "/invite", "personal link")
        code = next(w for w in invite.split() if "start=" in w).split("start=", 1)[1]

        onboard(api, SAM, f"/start {code}")
        api.wait_for_text(ALEX, "Your partner has joined", timeout=WAIT)
        tap(api, SAM, "Not now", "/rituals")
        say(api, ALEX, "/ready", "ready for steps for two")
        say(api, SAM, "/ready", "ready for steps for two")

        say(api, ALEX, "/reframe", "What would you like to say")
        say(api, ALEX, HONEST, "Keep them as they are")
        tap(api, ALEX, "Send to my partner", "exactly what your partner will see")
        tap(api, ALEX, "Send it", "the evening went by without a word", chat=SAM)
        tap(api, SAM, "I hear you", "I hear you", chat=ALEX)

        for who, score in ((ALEX, "4"), (SAM, "3")):
            say(api, who, "/checkin", "How safe and close")
            tap(api, who, score, "A few words")
            tap(api, who, "Skip", "Only the number")
            tap(api, who, "Yes, share the number", "checked in")

        say(api, ALEX, "/rituals", "Where are you")
        say(api, ALEX, "Berlin", "Is that right?")
        tap(api, ALEX, "Yes, that’s right", "What would you like to do?")
        tap(api, ALEX, "Add a ritual", "Which ritual?")
        tap(api, ALEX, "A coffee together", "At what time?")
        say(api, ALEX, "08:00", "On which days?")
        tap(api, ALEX, "Every day", "Just for you, or for both")
        tap(api, ALEX, "Ours", "for you both", chat=SAM)
        engine = make_engine(sqlite_url(tmp_path))
        with engine.begin() as conn:
            due = (datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)
            conn.execute(text("UPDATE rituals SET next_due_at = :due"), {"due": due})
        engine.dispose()
        api.mark()
        api.wait_for_text(ALEX, "coffee", timeout=WAIT)
        api.wait_for_text(SAM, "coffee", timeout=WAIT)

        say(api, ALEX, "/agreement", "sketch a transparency agreement")
        tap(api, ALEX, "Shared schedules", "We share our schedules")
        tap(api, ALEX, "Done", "For how long?")
        tap(api, ALEX, "1 month", "It runs until")
        tap(api, ALEX, "Halfway", "Here is your draft")
        tap(api, ALEX, "Save the draft", "Saved to your journal")
        tap(api, ALEX, "Propose it to my partner", "proposes a transparency agreement", chat=SAM)
        tap(api, SAM, "I agree", "agreed by both of you", chat=ALEX)

        say(api, SAM, "/unlink", "The link is ended")
        api.wait_for_text(ALEX, "ended the link", timeout=WAIT)
    finally:
        bot.stop()
