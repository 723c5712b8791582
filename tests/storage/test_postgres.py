"""The same storage on PostgreSQL, when a server is at hand (MEND_TEST_POSTGRES_URL).

`.ci/run` starts a local PostgreSQL when the machine has one; elsewhere these are skipped,
and everything else runs on SQLite as usual.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.service import Mend, next_due
from flows.core.contract import Choice, Command, Conversation, JournalRecord, Profile, Text
from storage import migrate
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.memory import PersonMemory
from storage.rituals import RitualStore
from tests.conftest import FakeClock

URL = os.environ.get("MEND_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="no PostgreSQL (MEND_TEST_POSTGRES_URL unset)")
CIPHER = TextCipher([new_key().encode()])
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def pg(postgres: Engine) -> Engine:
    """The shared migrated PostgreSQL of tests/conftest.py."""
    return postgres


def test_migrations_and_the_hot_path(pg: Engine) -> None:
    assert migrate.is_current(URL)
    store = ConversationStore(pg, CIPHER)
    loaded = store.load("telegram", "1", NOW)
    conversation = Conversation("hurt", "landed", {"what": "the lie"}, 1)
    store.save(
        loaded, Profile(True, "hurt"), conversation,
        [JournalRecord("hurt", (("what", "the lie"),))], NOW, update_id=7, message_id=3,
    )
    again = store.load("telegram", "1", NOW + timedelta(minutes=1))
    assert again.conversation == conversation and again.seen(7)
    assert again.last_message_id == 3
    assert PersonMemory(pg, again.person_id, CIPHER).journal(5)[0].parts == (("what", "the lie"),)
    store.erase(again.person_id)
    with pg.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal_entries")).scalar() == 0
    store.close()


def test_a_whole_conversation_and_a_reminder_claim(pg: Engine) -> None:
    clock = FakeClock(NOW)
    mend = Mend(pg, CIPHER, clock)
    for event in (
        Command("start"), Choice("onboarding.intro.ok"), Choice("onboarding.consent.agree"),
        Choice("onboarding.role.both"), Choice("onboarding.safe.safe"), Choice("moment.offer.no"),
        Command("hurt"), Text("what happened"), Command("checkin"), Choice("checkin.score.4"),
        Choice("checkin.words.skip"),
    ):
        assert mend.handle("telegram", "42", event).replies
    loaded = mend.store.load("telegram", "42", NOW)
    profile = Profile(timezone="Europe/Berlin")
    rituals = RitualStore(pg, CIPHER)
    rituals.add(loaded.person_id, "coffee", None, "08:00", "0123456",
                next_due(profile, "08:00", "0123456", NOW - timedelta(minutes=1)), NOW)
    first = rituals.claim(NOW, timedelta(minutes=5), 10)
    second = rituals.claim(NOW, timedelta(minutes=5), 10)
    assert len(first) == 1 and second == [], "a leased ritual is claimed once"
    opened = rituals.open_deliveries(
        [{"ritual_id": first[0].ritual_id, "person_id": loaded.person_id,
          "local_date": "2026-03-02", "status": "claimed", "due_at": first[0].due_at}] * 2
    )
    assert len(opened) == 1
    mend.close()


def test_partners_and_agreements_on_postgres(pg: Engine) -> None:
    from flows.core.policy import Join
    from storage.agreements import AgreementStore
    from storage.partners import PartnerStore

    store = ConversationStore(pg, CIPHER)
    ids = []
    for name in ("a", "b"):
        loaded = store.load("telegram", name, NOW)
        store.save(loaded, Profile(True), loaded.conversation, [], NOW)
        ids.append(loaded.person_id)
    store.close()
    partners = PartnerStore(pg, CIPHER)
    code = partners.create_invite(ids[0], NOW)
    assert partners.redeem(code, ids[1], NOW) == (Join.LINKED, ids[0])
    share = partners.share(ids[0], ids[1], "statement", "words", NOW)
    assert partners.answer_once(ids[1], share, NOW) and not partners.answer_once(ids[1], share, NOW)
    agreements = AgreementStore(pg, CIPHER)
    agreements.activate(ids[0], ids[1], "terms", "2026-04-01", "2026-03-15", NOW)
    assert [d.what for d in agreements.due("2026-03-16")] == ["review"]
    assert agreements.toggle_pause(ids[1]) == "paused"
    assert partners.export(ids[0])["linked"] is True
