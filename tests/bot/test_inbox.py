"""The inbox: what polling fetched is kept (encrypted) until its replies are out."""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import Application

from bot.service import ORPHANED, Mend
from bot.telegram_app import build_application
from tests.conftest import TOKEN, FakeClock, feed
from tests.fake_request import FakeRequest
from tests.updates import text_update

App = Application[Any, Any, Any, Any, Any, Any]
SAM = 2002


async def test_a_fetched_batch_is_kept_as_sent_and_settled_once_answered(mend: Mend) -> None:
    polling = FakeRequest()
    sends = FakeRequest()
    app = build_application(TOKEN, mend, request=sends, get_updates_request=polling)
    await app.initialize()
    try:
        raw = text_update(501, SAM, "/start")
        polling.updates = [raw]
        fetched = await app.bot.get_updates(offset=501, timeout=0)
        assert [u.update_id for u in fetched] == [501]
        waiting = mend.waiting()
        assert [uid for uid, _ in waiting] == [501]
        assert json.loads(waiting[0][1]) == raw, "kept exactly as Telegram sent it"
        await app.process_update(fetched[0])
        assert sends.sent(SAM), "answered"
        assert mend.waiting() == [], "settled once its replies went out"
    finally:
        await app.shutdown()


async def test_the_inbox_never_holds_words_in_the_clear(mend: Mend, app: App) -> None:
    mend.keep([(777, json.dumps(text_update(777, SAM, "SECRET-WORDS")))])
    with mend.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT body FROM inbox").scalar()
    assert stored and "SECRET-WORDS" not in stored


async def test_an_update_that_failed_is_not_handed_over_again(
    mend: Mend, app: App, monkeypatch: Any
) -> None:
    mend.keep([(888, json.dumps(text_update(888, SAM, "hello")))])
    monkeypatch.setattr(mend, "handle", lambda *a, **k: 1 / 0)
    await feed(app, text_update(888, SAM, "hello"))
    assert mend.waiting() == [], "apologised for once; a restart does not repeat it"


async def test_an_update_a_dead_replica_accepted_is_taken_up_only_once_it_is_old(
    mend: Mend, clock: FakeClock
) -> None:
    """Behind a webhook, a replica that answered Telegram 200 and died leaves the update in
    the shared inbox; the sender takes it up, but only after `ORPHANED`, so a replica still
    at work on it is left alone."""
    update = text_update(7001, 424242, "/start")
    mend.keep([(7001, json.dumps(update))])
    assert mend.orphaned(clock()) == [], "just accepted: someone may be at work on it"
    clock.advance(seconds=ORPHANED.total_seconds() + 1)
    assert [uid for uid, _ in mend.orphaned(clock())] == [7001]
