"""The hot path: load a person and their conversation, then save the outcome of one event.

Every message goes through here, so it uses a handful of Core statements compiled once and
run on one long-lived driver connection: a read, then one short write transaction — never
the ORM, never a transaction held open across a Telegram call (DESIGN §5). The same
functions serve PostgreSQL: only the upsert is chosen per dialect.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, Insert, bindparam, delete, exists, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from flows.contract import (
    RISKS,
    ROLES,
    Conversation,
    JournalRecord,
    Profile,
    Record,
    Risk,
    Role,
)
from storage.crypto import TextCipher
from storage.models import ConversationRow, JournalEntry, Pair, Person
from storage.prepared import Prepared

T = TypeVar("T")
REDELIVERY_WINDOW = timedelta(hours=24)

_pairs = Pair.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]
_conversations = ConversationRow.__table__  # type: ignore[attr-defined]
_journal = JournalEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Loaded:
    person_id: int
    profile: Profile
    conversation: Conversation
    last_update_id: int | None = None
    last_message_id: int | None = None

    updated_at: Any = None
    now: datetime | None = None
    active: bool = True

    def seen(self, update_id: int | None) -> bool:
        """Whether this update was already applied (Telegram redelivers after a crash).

        Only within a day of the last change: Telegram keeps undelivered updates that long,
        and after a quiet week it may start its ids again below the last one seen.
        """
        return (
            update_id is not None
            and self.last_update_id is not None
            and update_id <= self.last_update_id
            and self.now is not None
            and _recent(self.updated_at, self.now)
        )


def _role(value: str | None) -> Role | None:
    for role in ROLES:
        if role == value:
            return role
    return None


def _risk(value: str | None) -> Risk | None:
    for risk in RISKS:
        if risk == value:
            return risk
    return None


PROFILE_COLUMNS = (
    "consented",
    "role",
    "country",
    "track",
    "paused",
    "discreet",
    "reminders_paused",
    "safety_checked_on",
    "timezone",
    "quiet_from",
    "quiet_to",
    "ready_for_two",
    "safe_said_on",
    "crisis_on",
)


def profile_values(profile: Profile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in PROFILE_COLUMNS}


def profile_from(row: Sequence[Any], paired: bool = False) -> Profile:
    (
        consented,
        role,
        country,
        track,
        paused,
        discreet,
        reminders_paused,
        checked,
        timezone,
        quiet_from,
        quiet_to,
        ready_for_two,
        safe_said_on,
        crisis_on,
    ) = row
    return Profile(
        consented=bool(consented),
        role=_role(role),
        country=country,
        track="individual" if track == "individual" else "couples",
        paused=_risk(paused),
        discreet=bool(discreet),
        reminders_paused=bool(reminders_paused),
        safety_checked_on=checked,
        timezone=timezone,
        quiet_from=quiet_from,
        quiet_to=quiet_to,
        ready_for_two=bool(ready_for_two),
        safe_said_on=safe_said_on,
        crisis_on=crisis_on,
        paired=paired,
    )


def _upsert(dialect: str) -> Insert:
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(_conversations)
    return stmt.on_conflict_do_update(
        index_elements=[_conversations.c.person_id],
        set_={
            name: stmt.excluded[name]
            for name in (
                "flow",
                "state",
                "version",
                "slots",
                "last_update_id",
                "last_message_id",
                "updated_at",
            )
        },
    )


def _insert_new(dialect: str) -> Insert:
    """Two processes meeting the same new person at once must not fail: the second no-ops."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return make(_people).on_conflict_do_nothing(index_elements=["channel", "external_id"])


def encode_parts(parts: Sequence[tuple[str, str]]) -> str:
    return json.dumps([[name, words] for name, words in parts], ensure_ascii=False)


def decode_parts(body: str) -> tuple[tuple[str, str], ...]:
    try:
        data = json.loads(body)
        return tuple((str(name), str(words)) for name, words in data)
    except (ValueError, TypeError):
        return ()


class ConversationStore:
    """Owns one driver connection for the event loop's thread; not shared across threads."""

    def __init__(self, engine: Engine, cipher: TextCipher) -> None:
        self._engine = engine
        self._cipher = cipher
        self._raw: Any = None
        dbapi = engine.dialect.dbapi
        self._lost: tuple[type[BaseException], ...] = (
            (dbapi.OperationalError, dbapi.InterfaceError) if dbapi is not None else ()
        )
        dialect = engine.dialect
        self._find = Prepared(
            select(
                _people.c.id,
                _people.c.active,
                exists()
                .where(or_(_pairs.c.a_id == _people.c.id, _pairs.c.b_id == _people.c.id))
                .label("paired"),
                *(_people.c[name] for name in PROFILE_COLUMNS),
                _conversations.c.flow,
                _conversations.c.state,
                _conversations.c.version,
                _conversations.c.slots,
                _conversations.c.last_update_id,
                _conversations.c.last_message_id,
                _conversations.c.updated_at,
            )
            .select_from(
                _people.outerjoin(_conversations, _conversations.c.person_id == _people.c.id)
            )
            .where(_people.c.channel == bindparam("channel"))
            .where(_people.c.external_id == bindparam("external_id")),
            dialect,
        )
        self._create = Prepared(
            _insert_new(dialect.name),
            dialect,
            ["channel", "external_id", "created_at", "active", *PROFILE_COLUMNS],
        )
        self._profile = Prepared(
            update(_people)
            .where(_people.c.id == bindparam("pid"))
            .values({name: bindparam(name) for name in PROFILE_COLUMNS}),
            dialect,
        )
        self._save = Prepared(
            _upsert(dialect.name),
            dialect,
            [
                "person_id",
                "flow",
                "state",
                "version",
                "slots",
                "last_update_id",
                "last_message_id",
                "updated_at",
            ],
        )
        self._reachable = Prepared(
            update(_people).where(_people.c.id == bindparam("pid")).values(active=true()), dialect
        )
        self._erase = Prepared(delete(_people).where(_people.c.id == bindparam("pid")), dialect)
        self._record = Prepared(
            insert(_journal), dialect, ["person_id", "kind", "body", "created_at"]
        )

    def _connection(self) -> Any:
        """The driver's own connection (sqlite3, psycopg), kept checked out of the pool."""
        if self._raw is None:
            self._raw = self._engine.raw_connection()
        return self._raw.driver_connection

    def close(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._raw.close()
            self._raw = None

    def _transaction(self, work: Callable[[Any], T]) -> T:
        """Run `work` and commit, or roll back; a lost connection is replaced and tried once more.

        The connection is held for the process's life, so the pool cannot notice that a
        database restarted or a proxy dropped it; without this, every later message would fail.
        """
        lost = self._lost
        for attempt in (1, 2):
            conn = self._connection()
            try:
                result = work(conn)
                if getattr(conn, "in_transaction", True):  # sqlite3 opens none for reads
                    conn.commit()
                return result
            except lost:
                self.close()
                if attempt == 2:
                    raise
            except Exception:
                with contextlib.suppress(Exception):
                    conn.rollback()
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _run(conn: Any, statement: Prepared, values: dict[str, Any]) -> Any:
        """Both sqlite3 and psycopg connections execute directly and return a cursor."""
        return conn.execute(statement.sql, statement.params(values))

    def load(self, channel: str, external_id: str, now: datetime) -> Loaded:
        key = {"channel": channel, "external_id": external_id}

        def find(conn: Any) -> Any:
            row = self._run(conn, self._find, key).fetchone()
            if row is None:
                new = {**key, "created_at": now, "active": True, **profile_values(Profile())}
                self._run(conn, self._create, new)
                row = self._run(conn, self._find, key).fetchone()
            if row is None:  # pragma: no cover - the insert above just made it
                raise LookupError("person vanished after insert")
            return row

        row = self._transaction(find)
        width = len(PROFILE_COLUMNS)
        pid, active, paired = row[0], bool(row[1]), bool(row[2])
        profile = profile_from(row[3 : 3 + width], paired)
        flow, state, version, slots, last_update_id, last_message_id, updated_at = row[3 + width :]
        conversation = Conversation()
        if flow is not None:
            conversation = Conversation.from_json(
                {
                    **_json_object(self._cipher.decrypt(slots or "")),
                    "flow": flow,
                    "state": state,
                    "version": version,
                }
            )
        return Loaded(
            pid, profile, conversation, last_update_id, last_message_id, updated_at, now, active
        )

    def save(
        self,
        loaded: Loaded,
        profile: Profile,
        conversation: Conversation,
        records: Sequence[Record],
        now: datetime,
        update_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """One transaction: the new conversation and whatever the event recorded, or neither."""
        pid = loaded.person_id
        data = conversation.to_json()
        slots = self._cipher.encrypt(
            json.dumps({"slots": data["slots"], "history": data["history"]}, ensure_ascii=False)
        )
        row = {
            "person_id": pid,
            "flow": conversation.flow,
            "state": conversation.state,
            "version": conversation.version,
            "slots": slots,
            "last_update_id": update_id if update_id is not None else loaded.last_update_id,
            "last_message_id": max(
                filter(None, (message_id, loaded.last_message_id)), default=None
            ),
            "updated_at": now,
        }
        entries = [
            {
                "person_id": pid,
                "kind": record.kind,
                "body": self._cipher.encrypt(encode_parts(record.parts)),
                "created_at": now,
            }
            for record in records
            if isinstance(record, JournalRecord)
        ]

        def write(conn: Any) -> None:
            if profile != loaded.profile:
                self._run(conn, self._profile, {"pid": pid, **profile_values(profile)})
            if not loaded.active:  # they wrote again after blocking: reminders may resume
                self._run(conn, self._reachable, {"pid": pid})
            self._run(conn, self._save, row)
            for entry in entries:
                self._run(conn, self._record, entry)

        self._transaction(write)

    def erase(self, person_id: int) -> None:
        """Delete the person; foreign keys cascade to every row that is theirs."""
        self._transaction(lambda conn: self._run(conn, self._erase, {"pid": person_id}))


def _recent(updated_at: Any, now: datetime) -> bool:
    """Whether the row changed within the day Telegram keeps undelivered updates."""
    if isinstance(updated_at, str):
        try:
            updated_at = datetime.fromisoformat(updated_at)
        except ValueError:
            return False
    if not isinstance(updated_at, datetime):
        return False
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=UTC)
    return bool(now - updated_at < REDELIVERY_WINDOW)


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}
