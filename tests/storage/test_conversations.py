from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from flows.core.contract import Conversation, JournalRecord, Profile, Snapshot
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.memory import PersonMemory
from storage.models import ConversationRow, JournalEntry, Person

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CIPHER = TextCipher([new_key().encode()])


def test_a_new_person_starts_idle_without_consent(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "42", NOW)
    assert loaded.profile == Profile()
    assert loaded.conversation.idle
    assert store.load("telegram", "42", NOW).person_id == loaded.person_id
    assert store.load("console", "42", NOW).person_id != loaded.person_id
    store.close()


def test_conversation_profile_and_journal_round_trip(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "7", NOW)
    conversation = Conversation(
        "hurt",
        "broke",
        {"what": "“quotes” and émojis 💔", "landed": "x"},
        1,
        (Snapshot("what", {}), Snapshot("landed", {"what": "a"})),
    )
    store.save(
        loaded,
        Profile(True, "hurt"),
        conversation,
        [JournalRecord("hurt", (("what", "the lie"),))],
        NOW,
        update_id=5,
    )
    again = store.load("telegram", "7", NOW + timedelta(minutes=1))
    assert again.conversation == conversation
    assert again.profile == Profile(True, "hurt")
    assert again.seen(5) and not again.seen(6)
    # Ids are kept as a list, not a high-water mark: an update with a lower id that was never
    # applied to this person (one overtaken by a newer one) is still applied.
    assert not again.seen(4)
    assert not again.seen(None)
    items = PersonMemory(engine, again.person_id, CIPHER).journal(10)
    assert [(i.kind, i.parts) for i in items] == [("hurt", (("what", "the lie"),))]
    store.close()


def test_times_are_stored_and_read_as_aware_utc(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "8", NOW)
    store.save(loaded, Profile(True), Conversation("hurt", "what", {}, 1), [], NOW)
    store.close()
    with Session(engine) as session:
        person = session.exec(select(Person)).one()
        row = session.exec(select(ConversationRow)).one()
    assert person.created_at == NOW and person.created_at.tzinfo is not None
    assert row.updated_at == NOW


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    with pytest.raises(Exception, match="naive"):
        store.load("telegram", "9", datetime(2026, 3, 1, 12, 0))
    store.close()


def test_a_failed_save_keeps_the_previous_state(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "10", NOW)
    first = Conversation("hurt", "what", {}, 1)
    store.save(loaded, Profile(True), first, [], NOW)
    loaded = store.load("telegram", "10", NOW)
    bad = JournalRecord("hurt", (("what", "x"),))
    with pytest.raises(Exception, match="naive"):
        store.save(
            loaded,
            Profile(True),
            Conversation("hurt", "landed", {}, 1),
            [bad],
            datetime(2026, 3, 1),
        )
    assert store.load("telegram", "10", NOW).conversation == first
    with Session(engine) as session:
        assert session.exec(select(JournalEntry)).all() == []
    store.close()


def test_journal_reader_sees_only_its_own_person(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    a = store.load("telegram", "1", NOW)
    b = store.load("telegram", "2", NOW)
    store.save(a, Profile(True), Conversation(), [JournalRecord("hurt", (("what", "A's"),))], NOW)
    store.save(b, Profile(True), Conversation(), [JournalRecord("hurt", (("what", "B's"),))], NOW)
    store.close()
    mine = PersonMemory(engine, a.person_id, CIPHER).journal(10)
    assert [dict(i.parts)["what"] for i in mine] == ["A's"]


def test_deleting_a_person_deletes_their_rows(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "3", NOW)
    store.save(
        loaded,
        Profile(True),
        Conversation("hurt", "what", {}, 1),
        [JournalRecord("hurt", (("what", "x"),))],
        NOW,
    )
    store.close()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM people"))
        assert conn.execute(text("SELECT count(*) FROM conversations")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM journal_entries")).scalar() == 0


def test_corrupt_saved_slots_load_as_idle_rather_than_crash(engine: Engine) -> None:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "4", NOW)
    store.save(loaded, Profile(True), Conversation("hurt", "what", {}, 1), [], NOW)
    with engine.begin() as conn:
        conn.execute(text("UPDATE conversations SET slots = 'not json'"))
    conversation = store.load("telegram", "4", NOW).conversation
    assert conversation.flow == "hurt" and conversation.slots == {}
    store.close()


def test_old_update_ids_stop_counting_after_a_quiet_day(engine: Engine) -> None:
    """Telegram may restart update ids after a quiet week; nobody may be locked out."""
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "11", NOW)
    store.save(loaded, Profile(True), Conversation("hurt", "what", {}, 1), [], NOW, update_id=900)
    assert store.load("telegram", "11", NOW + timedelta(hours=1)).seen(900)
    assert not store.load("telegram", "11", NOW + timedelta(days=8)).seen(900)
    store.close()


def test_a_lost_connection_is_replaced_and_the_work_retried(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(engine, CIPHER)
    store.load("telegram", "12", NOW)
    dbapi = engine.dialect.dbapi
    assert dbapi is not None
    real_run = ConversationStore._run
    failures = iter([True])

    def flaky(conn: object, statement: object, values: dict[str, object]) -> object:
        if next(failures, False):
            raise dbapi.OperationalError("server closed the connection unexpectedly")
        return real_run(conn, statement, values)  # type: ignore[arg-type]

    monkeypatch.setattr(ConversationStore, "_run", staticmethod(flaky))
    assert store.load("telegram", "12", NOW).profile == Profile()
    store.close()


def test_the_database_never_holds_words_in_plain_text(engine: Engine, db_url: str) -> None:
    marker = "Zebra-Marker-Words"
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", "13", NOW)
    store.save(
        loaded,
        Profile(True),
        Conversation("hurt", "landed", {"what": marker}, 1),
        [JournalRecord("hurt", (("what", marker),))],
        NOW,
    )
    store.close()
    path = db_url.removeprefix("sqlite:///")
    for suffix in ("", "-wal"):
        with contextlib.suppress(FileNotFoundError), open(path + suffix, "rb") as handle:
            assert marker.encode() not in handle.read()
    memory = PersonMemory(engine, loaded.person_id, CIPHER)
    assert dict(memory.journal(1)[0].parts)["what"] == marker


def test_the_recent_update_ids_keep_the_newest_few() -> None:
    from storage.conversations import RECENT_UPDATES, Loaded

    loaded = Loaded(1, Profile(), Conversation(), updated_at=NOW, now=NOW)
    for update_id in range(1, RECENT_UPDATES + 6):
        loaded.recent_updates = loaded.with_update(update_id)
    kept = [int(i) for i in loaded.recent_updates.split(",")]
    assert kept == list(range(6, RECENT_UPDATES + 6))
    assert loaded.seen(6) and loaded.seen(RECENT_UPDATES + 5)
    assert loaded.seen(2), "older than every kept id: applied long ago"
    assert not loaded.seen(RECENT_UPDATES + 6)
    assert not Loaded(1, Profile(), Conversation(), recent_updates="12", now=NOW).seen(1)
