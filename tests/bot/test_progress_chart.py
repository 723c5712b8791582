"""/progress on Telegram arrives as a photo, drawn from stored check-ins, wins and rituals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram.ext import Application

from bot import charts
from bot.service import Mend
from flows.core.contract import JournalRecord
from tests.bot.test_telegram import ALEX, Person
from tests.conftest import FakeClock
from tests.fake_request import FakeRequest

App = Application[Any, Any, Any, Any, Any, Any]


def test_the_chart_is_a_png() -> None:
    import json

    spec = {
        "title": "t",
        "legend": {"score": "s", "win": "w", "ritual": "r"},
        "checkins": [["2026-03-01", 2], ["2026-03-02", 4]],
        "wins": ["2026-03-02"],
        "rituals": ["2026-03-01"],
    }
    png = charts.render(json.dumps(spec).encode())
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000


async def test_progress_arrives_as_a_photo(
    app: App, request_log: FakeRequest, mend: Mend, clock: FakeClock
) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    for score in (2, 3, 4, 4):
        await alex.say("/checkin")
        await alex.press(str(score))
        await alex.press("skip")
        clock.advance(days=1)
    loaded = mend.store.load("telegram", str(ALEX), clock.now)
    mend.store.save(
        loaded,
        loaded.profile,
        loaded.conversation,
        [JournalRecord("win", (("win", "we laughed"),))],
        clock.now - timedelta(days=1),
    )
    request_log.clear()
    await alex.say("/progress")
    photos = [c for c in request_log.calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    said = [c.text for c in request_log.sent(ALEX) if c.method == "sendMessage"]
    assert any("Check-ins: 4" in s and "Small wins: 1" in s for s in said)
