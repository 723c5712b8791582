"""Reminders through the real `mend run` process and a fake Bot API on 127.0.0.1.

The database is seeded from here with what a crash right after a claim leaves behind (a
lapsed lease and a day recorded as "claimed"), and with a person who blocked the bot; the
real process must deliver each due reminder exactly once, wait out a 429, and leave the
blocked person alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.service import next_due
from flows.core import calendar
from flows.core.contract import Profile
from storage import migrate
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
from storage.rituals import RitualStore
from tests.e2e.test_mend_run import Bot
from tests.fakebotapi import FakeBotAPI

ALEX, BOB = 777001, 777002
ZONE = "Europe/Berlin"
STARTUP = 30.0


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A data folder with two people and their rituals, all due now; returns (url, key)."""
    key = new_key()
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    cipher = TextCipher([key.encode()])
    store, rituals = ConversationStore(engine, cipher), RitualStore(engine, cipher)
    now = datetime.now(UTC)
    profile = Profile(consented=True, role="both", timezone=ZONE)
    local = now.astimezone(calendar.zone_for(ZONE)) - timedelta(minutes=1)
    at = local.strftime("%H:%M")
    due = next_due(profile, at, "0123456", now - timedelta(minutes=2))
    ids = {}
    for user in (ALEX, BOB):
        loaded = store.load("telegram", str(user), now)
        store.save(loaded, profile, loaded.conversation, [], now)
        ids[user] = rituals.add(loaded.person_id, "coffee", None, at, "0123456", due, now)
    # ALEX's second ritual: claimed by a process that then died before sending.
    crashed = rituals.add(
        store.load("telegram", str(ALEX), now).person_id,
        "kind_text",
        None,
        at,
        "0123456",
        due,
        now,
    )
    day = calendar.local_date_of(due, ZONE).isoformat()
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE rituals SET lease_until = :past WHERE id = :id"),
            {"past": (now - timedelta(minutes=1)).replace(tzinfo=None), "id": crashed},
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (ritual_id, person_id, local_date, status, due_at) "
                "SELECT id, person_id, :day, 'claimed', next_due_at FROM rituals WHERE id = :id"
            ),
            {"day": day, "id": crashed},
        )
    store.close()
    engine.dispose()
    yield url, key


def lapse_every_lease(url: str) -> None:
    """What the passing of the lease (at least `LEASE_FLOOR`) does, without waiting for it."""
    engine = make_engine(url)
    with engine.begin() as conn:
        past = (datetime.now(UTC) - timedelta(seconds=1)).replace(tzinfo=None)
        conn.execute(
            text("UPDATE rituals SET lease_until = :past WHERE lease_until IS NOT NULL"),
            {"past": past},
        )
    engine.dispose()


def test_reminders_arrive_once_wait_out_429_and_spare_the_blocked(
    fake_api: FakeBotAPI,
    tmp_path: Path,
    seeded: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, key = seeded
    monkeypatch.setenv("MEND_SECRET_KEY", key)
    monkeypatch.setenv("REMINDER_SWEEP_SECONDS", "1")
    fake_api.block_chat(BOB)
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    bot = Bot(fake_api, tmp_path)
    bot.start()
    try:
        fake_api.wait_until_polled(timeout=STARTUP)
        calls = fake_api.wait_for_calls("sendMessage", chat_id=ALEX, count=2, timeout=STARTUP)
        texts = [c.text or "" for c in calls]
        assert len(texts) == 2, texts
        with pytest.raises(AssertionError):  # no third one: each ritual once today
            fake_api.wait_for_calls("sendMessage", chat_id=ALEX, count=3, timeout=3)
        bot.kill()
        bot.start()  # a restart must not send today's reminders again
        fake_api.wait_until_polled(timeout=STARTUP)
        with pytest.raises(AssertionError):
            fake_api.wait_for_calls("sendMessage", chat_id=ALEX, count=3, timeout=3)
    finally:
        bot.stop()
    engine = make_engine(url)
    with engine.connect() as conn:
        statuses = conn.execute(text("SELECT status FROM deliveries ORDER BY id")).scalars().all()
        bob_active = conn.execute(
            text("SELECT active FROM people WHERE external_id = :b"), {"b": str(BOB)}
        ).scalar()
    engine.dispose()
    assert sorted(statuses) == ["blocked", "sent", "sent"], statuses
    assert bob_active == 0, "a person who blocked the bot is left alone"


def test_kill_9_after_the_claim_then_restart_delivers_exactly_once(
    fake_api: FakeBotAPI,
    tmp_path: Path,
    seeded: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real process claims a reminder, cannot send it yet, and dies by SIGKILL."""
    url, key = seeded
    monkeypatch.setenv("MEND_SECRET_KEY", key)
    monkeypatch.setenv("REMINDER_SWEEP_SECONDS", "1")
    fake_api.block_chat(BOB)
    # Telegram is failing for a moment: the first sends for ALEX get a server error.
    fake_api.fail_next("sendMessage", 500, "Internal Server Error", times=3)
    bot = Bot(fake_api, tmp_path)
    bot.start()
    try:
        fake_api.wait_for_calls(
            "sendMessage", chat_id=ALEX, count=1, timeout=STARTUP, include_failed=True
        )
        bot.kill()  # claimed and recorded, not yet sent
        assert fake_api.calls_to("sendMessage", chat_id=ALEX) == [] or all(
            not c.ok for c in fake_api.calls_to("sendMessage", chat_id=ALEX)
        )
        lapse_every_lease(url)  # a minute on: the dead process's claims have run out
        fake_api.mark()
        bot.start()
        fake_api.wait_until_polled(timeout=STARTUP)
        delivered = fake_api.wait_for_calls("sendMessage", chat_id=ALEX, count=2, timeout=STARTUP)
        assert len(delivered) == 2  # ALEX's two rituals, each once
        with pytest.raises(AssertionError):
            fake_api.wait_for_calls("sendMessage", chat_id=ALEX, count=3, timeout=4)
    finally:
        bot.stop()
