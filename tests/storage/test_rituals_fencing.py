"""Fenced claims in storage: only the current owner token may renew, mark or release.

Each test runs on SQLite, and on PostgreSQL when MEND_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, inspect, text

from flows.core.contract import Profile
from storage import migrate
from storage.agreements import AgreementStore
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine
from storage.models import Agreement, Delivery
from storage.rituals import RitualStore
from tests.conftest import POSTGRES_URL

CIPHER = TextCipher([new_key().encode()])
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("db_url"))
    request.getfixturevalue("postgres")  # skipped where there is no PostgreSQL
    return POSTGRES_URL


@pytest.fixture
def db(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


def person(engine: Engine, who: str = "alex") -> int:
    store = ConversationStore(engine, CIPHER)
    loaded = store.load("telegram", who, NOW)
    store.save(loaded, Profile(True, "both", timezone="UTC"), loaded.conversation, [], NOW)
    store.close()
    return loaded.person_id


def row(engine: Engine, sql: str) -> tuple[object, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(sql)).one())


def test_a_reclaimed_ritual_answers_only_to_its_new_owner(db: Engine) -> None:
    rituals = RitualStore(db, CIPHER)
    rid = rituals.add(person(db), "coffee", None, "07:00", "0123456", NOW, NOW)
    (first,) = rituals.claim(NOW, LEASE, 10)
    assert rituals.claim(NOW, LEASE, 10) == [], "a leased ritual is claimed once"
    later = NOW + LEASE + timedelta(seconds=1)
    (second,) = rituals.claim(later, LEASE, 10)
    assert second.token and second.token != first.token, "a reclaim is another owner"
    opened = rituals.open_deliveries(
        [
            {
                "ritual_id": rid,
                "person_id": second.person_id,
                "local_date": "2026-03-02",
                "status": "claimed",
                "due_at": NOW,
            }
        ]
    )
    day = {"d_id": opened[rid][0], "r_id": rid, "prompt_id": None}
    before = row(db, "SELECT next_due_at, lease_until, claim_token FROM rituals")

    tomorrow = NOW + timedelta(days=1)
    moved = [{"r_id": rid, "next_due_at": tomorrow}]
    assert (
        rituals.finish(first.token, [{**day, "status": "sent", "sent_at": later}], moved) == set()
    )
    rituals.release(first.token, [rid])
    assert rituals.renew(first.token, [rid], later + LEASE * 10) == set()
    assert row(db, "SELECT next_due_at, lease_until, claim_token FROM rituals") == before
    assert row(db, "SELECT status, sent_at FROM deliveries") == ("claimed", None)

    assert rituals.renew(second.token, [rid], later + LEASE * 2) == {rid}
    assert rituals.finish(second.token, [{**day, "status": "sent", "sent_at": later}], moved) == {
        rid
    }
    assert row(db, "SELECT status FROM deliveries") == ("sent",)
    assert rituals.renew(second.token, [rid], later + LEASE * 3) == set(), "marked: not held"
    assert row(db, "SELECT lease_until FROM rituals") == (None,)


def test_a_put_off_reminder_sent_again_is_marked_only_by_its_owner(db: Engine) -> None:
    rituals = RitualStore(db, CIPHER)
    pid = person(db)
    rid = rituals.add(pid, "coffee", None, "07:00", "0123456", NOW, NOW)
    with db.begin() as conn:
        conn.execute(
            insert(Delivery.__table__).values(  # type: ignore[attr-defined]
                ritual_id=rid,
                person_id=pid,
                local_date="2026-03-02",
                status="later",
                due_at=NOW,
                snooze_until=NOW,
            )
        )
    ((first, did, _),) = rituals.claim_snoozed(NOW, 10, LEASE)
    assert rituals.claim_snoozed(NOW, 10, LEASE) == [], "claimed once"
    later = NOW + LEASE + timedelta(seconds=1)
    ((taken, _, _),) = rituals.claim_snoozed(later, 10, LEASE)
    assert taken.token != first.token
    assert not rituals.mark_delivery(first.token, did, "sent", later)
    rituals.release_snoozed(first.token, did, later)
    assert rituals.renew_snoozed(first.token, [did], later + LEASE) == set()
    assert row(db, "SELECT status FROM deliveries") == ("resending",)
    assert rituals.renew_snoozed(taken.token, [did], later + LEASE) == {did}
    assert rituals.mark_delivery(taken.token, did, "sent", later)
    assert row(db, "SELECT status FROM deliveries") == ("sent",)


def test_an_agreement_prompt_records_who_has_had_it(db: Engine) -> None:
    a, b = person(db, "a"), person(db, "b")
    store = AgreementStore(db, CIPHER)
    store.activate(a, b, "terms", "2026-06-01", "2026-03-02", NOW)
    (due,) = store.claim("2026-03-02", NOW, LEASE, 10)
    assert [r.person_id for r in due.recipients] == [a, b]
    assert store.note_prompted(due.token, due.id, "review", [a])
    assert store.claim("2026-03-02", NOW, LEASE, 10) == [], "held"
    (again,) = store.claim("2026-03-02", NOW + LEASE * 2, LEASE, 10)
    assert [r.person_id for r in again.recipients] == [b], "only whoever has not had it"
    (end,) = store.due("2026-06-01")
    assert end.what == "end" and len(end.recipients) == 2, "the end prompt is another"


def test_the_fencing_migration_keeps_what_is_there(url: str, db: Engine) -> None:
    migrate.downgrade(url, "0016")
    a, b = person(db, "a"), person(db, "b")
    RitualStore(db, CIPHER).add(a, "coffee", None, "07:00", "0123456", NOW, NOW)
    with db.begin() as conn:
        conn.execute(
            insert(Agreement.__table__).values(  # type: ignore[attr-defined]
                a_id=a,
                b_id=b,
                body="x",
                ends_on="2026-06-01",
                review_on="2026-03-02",
                status="active",
                review_sent=False,
                created_at=NOW,
            )
        )
    migrate.upgrade(url)
    assert migrate.is_current(url)
    columns = {
        t: {c["name"] for c in inspect(db).get_columns(t)} for t in ("rituals", "agreements")
    }
    assert "claim_token" in columns["rituals"]
    assert {"claim_token", "lease_until", "prompted"} <= columns["agreements"]
    assert row(db, "SELECT claim_token, lease_until FROM rituals") == (None, None)
    assert row(db, "SELECT claim_token, lease_until, prompted FROM agreements") == (None,) * 3
    assert len(RitualStore(db, CIPHER).claim(NOW, LEASE, 10)) == 1
    assert len(AgreementStore(db, CIPHER).claim("2026-03-02", NOW, LEASE, 10)) == 1
    migrate.downgrade(url, "0016")
    assert "claim_token" not in {c["name"] for c in inspect(db).get_columns("rituals")}
    assert row(db, "SELECT count(*) FROM rituals") == (1,)
    migrate.upgrade(url)
