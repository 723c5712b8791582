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


def test_parting_leaves_each_their_own_rituals_and_takes_out_the_others_words(
    engine: Engine,
) -> None:
    from flows.core.contract import Profile as _Profile
    from storage.rituals import RitualStore

    store = ConversationStore(engine, CIPHER)
    alex, sam = (
        store.load("telegram", who, NOW).person_id for who in ("part-a", "part-b")
    )
    for pid in (alex, sam):
        loaded = store.load("telegram", "part-a" if pid == alex else "part-b", NOW)
        store.save(loaded, _Profile(True), loaded.conversation, [], NOW)
    rituals = RitualStore(engine, CIPHER)
    for pid in (alex, sam):  # an "ours" ritual in Alex's own words, and one from the catalogue
        rituals.add(pid, "own", "our Sunday walk", "08:00", "6", NOW, NOW, "g-words", alex)
        rituals.add(pid, "coffee", None, "09:00", "0123456", NOW, NOW, "g-coffee", alex)
    rituals.part(alex, sam)
    alex_has = {(r.kind, r.label) for r in rituals.of_person(alex)}
    sam_has = {(r.kind, r.label) for r in rituals.of_person(sam)}
    assert alex_has == {("own", "our Sunday walk"), ("coffee", None)}, "Alex keeps their own"
    assert sam_has == {("coffee", None)}, "Alex's words leave Sam's list"
    with engine.connect() as conn:
        groups = conn.execute(text("SELECT pair_group FROM rituals")).scalars().all()
    assert set(groups) == {None}, "nothing is shared any more"
    store.close()


def test_a_partners_reminder_never_changes_with_the_others_safety(engine: Engine) -> None:
    from datetime import timedelta as _td

    from flows.core.contract import Profile as _Profile
    from storage.rituals import RitualStore

    store = ConversationStore(engine, CIPHER)
    ids = {}
    for who, profile in (("safe-a", _Profile(True, paused="abuse")), ("safe-b", _Profile(True))):
        loaded = store.load("telegram", who, NOW)
        store.save(loaded, profile, loaded.conversation, [], NOW)
        ids[who] = loaded.person_id
    rituals = RitualStore(engine, CIPHER)
    for pid in ids.values():
        rituals.add(pid, "coffee", None, "08:00", "0123456", NOW, NOW, "g-ours", ids["safe-a"])
    claimed = {c.person_id: c for c in rituals.claim(NOW + _td(minutes=1), _td(minutes=5), 10)}
    assert claimed[ids["safe-a"]].paused, "the person at risk gets a neutral reminder"
    assert not claimed[ids["safe-b"]].paused, "the partner's is as always: it tells nothing"
    store.close()
