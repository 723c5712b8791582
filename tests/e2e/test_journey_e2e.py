"""The journey on Telegram, end to end: check in, log a win, and /progress as a photo."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from flows.core.contract import Profile
from storage import migrate
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
from storage.progress import ProgressStore
from tests.e2e.test_mend_run import Bot
from tests.fakebotapi import FakeBotAPI

SAM = 818181
STARTUP = 30.0


def test_checkin_win_and_progress_photo(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    monkeypatch.setenv("MEND_SECRET_KEY", key)
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    cipher = TextCipher([key.encode()])
    store, progress = ConversationStore(engine, cipher), ProgressStore(engine, cipher)
    now = datetime.now(UTC)
    loaded = store.load("telegram", str(SAM), now)
    today = date.today()
    store.save(
        loaded,
        Profile(consented=True, role="both", safety_checked_on=today.isoformat()),
        loaded.conversation,
        [],
        now,
    )
    for back, score in enumerate((2, 3, 3, 4)):
        day = (today - timedelta(days=back + 1)).isoformat()
        progress.save_checkin(loaded.person_id, day, score, None, now)
    store.close()
    engine.dispose()

    api = fake_api
    bot = Bot(api, tmp_path)
    bot.start()
    try:
        api.wait_until_polled(timeout=STARTUP)
        api.mark()
        api.push_text(SAM, "/checkin")
        api.wait_for_text(SAM, "How safe and close", timeout=STARTUP)
        api.mark()
        api.click(SAM, "4")
        api.wait_for_text(SAM, "A few words", timeout=STARTUP)
        api.mark()
        api.push_text(SAM, "Dinner was easy tonight")
        api.wait_for_text(SAM, "checked in", timeout=STARTUP)
        api.mark()
        api.push_text(SAM, "/win")
        api.wait_for_text(SAM, "What went a little better", timeout=STARTUP)
        api.mark()
        api.click(SAM, "We laughed together")
        api.wait_for_text(SAM, "Noted as a win", timeout=STARTUP)
        api.mark()
        api.push_text(SAM, "/progress")
        photo = api.wait_for_calls("sendPhoto", chat_id=SAM, count=1, timeout=STARTUP)[0]
        assert any(name.endswith(".png") for name, _ in photo.files.values())
        summary = api.calls_to("sendMessage", chat_id=SAM)[-1].text or ""
        assert "Check-ins: 5" in summary and "Small wins: 1" in summary
    finally:
        bot.stop()
    assert os.path.exists(tmp_path / "mend.db")
