"""Another process holding SQLite's write lock: the event loop stays free, the person's reply
is only delayed, and what they wrote is applied once the lock is let go."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.mend_bot import MendBot
from bot.service import Mend
from bot.telegram_app import build_application
from flows.core import content
from storage import migrate
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
from tests.conftest import TOKEN, FakeClock, feed
from tests.fake_request import FakeRequest
from tests.updates import text_update

SAM = 3003


async def test_a_write_lock_held_elsewhere_delays_one_reply_and_loses_nothing(
    tmp_path: Path, monkeypatch: Any
) -> None:
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    mend = Mend(engine, TextCipher([new_key().encode()]), FakeClock())
    waiting = asyncio.Event()
    pauses: list[float] = []
    others_served: list[str] = []

    def waited(attempt: int) -> None:
        if attempt >= 3:
            waiting.set()

    async def pause(seconds: float) -> None:  # no real sleeping: the loop turns instead
        pauses.append(seconds)
        others_served.append("tick")
        await asyncio.sleep(0)

    monkeypatch.setattr(mend, "waited_for_lock", waited)
    monkeypatch.setattr(MendBot, "wait", staticmethod(pause))
    sends = FakeRequest()
    app = build_application(TOKEN, mend, request=sends, get_updates_request=FakeRequest())
    await app.initialize()
    other = sqlite3.connect(tmp_path / "mend.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process takes the write lock
        handling = asyncio.create_task(feed(app, text_update(601, SAM, "/start")))
        await asyncio.wait_for(waiting.wait(), timeout=30)
        assert not handling.done() and others_served, "waiting, and the loop is free"
        other.execute("ROLLBACK")  # the lock is let go
        await asyncio.wait_for(handling, timeout=30)
    finally:
        other.close()
        await app.shutdown()
    said = [c.text for c in sends.sent(SAM)]
    assert said and content.text("global", "error_apology") not in said
    loaded = mend.store.load("telegram", str(SAM), FakeClock()())
    assert loaded.conversation.flow == "onboarding" and loaded.seen(601), "applied, once"
    assert pauses == sorted(pauses), "the pauses grow"
    mend.close()
    engine.dispose()
