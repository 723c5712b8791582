"""The pairing and sharing rules, on a temporary SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from flows.core.contract import Profile
from flows.core.policy import Join
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.partners import PartnerStore, code_hash

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CIPHER = TextCipher([new_key().encode()])


def people(engine: Engine, *names: str) -> list[int]:
    store = ConversationStore(engine, CIPHER)
    ids = []
    for name in names:
        loaded = store.load("telegram", name, NOW)
        store.save(loaded, Profile(True), loaded.conversation, [], NOW)
        ids.append(loaded.person_id)
    store.close()
    return ids


def test_an_invite_links_once_and_only_the_hash_is_kept(engine: Engine) -> None:
    alex, sam, kim = people(engine, "a", "s", "k")
    partners = PartnerStore(engine, CIPHER)
    code = partners.create_invite(alex, NOW)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code_hash FROM invites")).scalar() == code_hash(code)
    assert partners.redeem(code, alex, NOW) == (Join.OWN, None)
    assert partners.redeem("not-a-code", sam, NOW) == (Join.UNKNOWN, None)
    assert partners.redeem(code, sam, NOW) == (Join.LINKED, alex)
    assert partners.redeem(code, kim, NOW) == (Join.USED, None)
    fresh = partners.create_invite(alex, NOW)
    # No third person, and the refusal does not reveal that the inviter is linked.
    assert partners.redeem(fresh, kim, NOW) == (Join.USED, None)
    found = partners.partner_of(sam)
    assert found is not None and found.person_id == alex


def test_invites_expire_and_never_reach_someone_who_left(engine: Engine) -> None:
    alex, sam = people(engine, "a", "s")
    partners = PartnerStore(engine, CIPHER)
    code = partners.create_invite(alex, NOW)
    assert partners.redeem(code, sam, NOW + timedelta(hours=72, seconds=1))[0] is Join.EXPIRED
    code = partners.create_invite(alex, NOW)
    with engine.begin() as conn:
        conn.execute(text("UPDATE people SET active = false WHERE id = :a"), {"a": alex})
    assert partners.redeem(code, sam, NOW)[0] is Join.GONE


def test_shares_are_read_only_by_their_recipient_and_answered_once(engine: Engine) -> None:
    alex, sam, kim = people(engine, "a", "s", "k")
    partners = PartnerStore(engine, CIPHER)
    partners.redeem(partners.create_invite(alex, NOW), sam, NOW)
    share = partners.share(alex, sam, "statement", "words only Sam should see", NOW)
    with engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM shares")).scalar()
    assert "Sam should see" not in str(body), "encrypted at rest"
    assert partners.received(kim, share) is None
    assert partners.received(alex, share) is None, "not even the sender reads it as received"
    item = partners.received(sam, share)
    assert item is not None and item.body == "words only Sam should see"
    assert partners.answer_once(sam, share, NOW)
    assert not partners.answer_once(sam, share, NOW)
    assert not partners.answer_once(kim, share, NOW)
    assert partners.unlink(sam) is not None and partners.partner_of(alex) is None
