"""Only a key that can read what is stored may start Mend; a wrong one never reads as empty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete

from flows.core.contract import Conversation, JournalRecord, Profile
from storage import keyguard
from storage.conversations import ConversationStore
from storage.crypto import BadKey, TextCipher, Unreadable, new_key
from storage.models import KeyFingerprint

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def cipher(*keys: str) -> TextCipher:
    return TextCipher([k.encode() for k in keys])


def write_words(engine: Engine, sealing: TextCipher) -> None:
    store = ConversationStore(engine, sealing)
    loaded = store.load("t", "1", NOW)
    record = JournalRecord("hurt", (("what", "the lie"),))
    store.save(loaded, Profile(True), Conversation("hurt", "what", {"a": "b"}, 1), [record], NOW)
    store.close()


def test_a_database_with_nobody_in_it_takes_any_key_and_then_holds_to_it(
    engine: Engine,
) -> None:
    first = cipher(new_key())
    assert not keyguard.holds_data(engine)
    keyguard.check(engine, first, NOW)
    keyguard.check(engine, cipher(new_key()), NOW)  # still nobody: nothing to misread
    write_words(engine, first)
    assert keyguard.holds_data(engine)
    with pytest.raises(BadKey):
        keyguard.check(engine, cipher(new_key()), NOW)


def test_rotation_records_the_new_sealing_key(engine: Engine) -> None:
    old, new = new_key(), new_key()
    keyguard.check(engine, cipher(old), NOW)
    keyguard.check(engine, cipher(new, old), NOW)
    keyguard.check(engine, cipher(new), NOW)  # the new key alone is known now


def test_a_database_from_before_fingerprints_is_checked_against_its_words(
    engine: Engine,
) -> None:
    key = new_key()
    write_words(engine, cipher(key))
    with engine.begin() as conn:
        conn.execute(delete(KeyFingerprint))
    with pytest.raises(BadKey):
        keyguard.check(engine, cipher(new_key()), NOW)
    keyguard.check(engine, cipher(key), NOW)


def test_a_value_no_key_opens_raises_instead_of_reading_empty() -> None:
    sealed = cipher(new_key()).encrypt("words")
    with pytest.raises(Unreadable):
        cipher(new_key()).decrypt(sealed)
    assert cipher(new_key()).decrypt("plain legacy text") == "plain legacy text"
