"""The hot path: load a person and their conversation, then save the outcome of one event.

Every message goes through here, so it uses a handful of Core statements compiled once and
run on one long-lived driver connection: a read, then one short write transaction — never
the ORM, never a transaction held open across a Telegram call (DESIGN §5). The same
functions serve PostgreSQL: only the upsert is chosen per dialect.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Insert, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from flows.contract import ROLES, Conversation, JournalRecord, Profile, Record, Role
from storage.models import ConversationRow, JournalEntry, Person
from storage.prepared import Prepared

_people = Person.__table__  # type: ignore[attr-defined]
_conversations = ConversationRow.__table__  # type: ignore[attr-defined]
_journal = JournalEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Loaded:
    person_id: int
    profile: Profile
    conversation: Conversation
    last_update_id: int | None = None

    def seen(self, update_id: int | None) -> bool:
        """Whether this update was already applied (Telegram redelivers after a crash)."""
        return (
            update_id is not None
            and self.last_update_id is not None
            and update_id <= self.last_update_id
        )


def _role(value: str | None) -> Role | None:
    for role in ROLES:
        if role == value:
            return role
    return None


def _upsert(dialect: str) -> Insert:
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(_conversations)
    return stmt.on_conflict_do_update(
        index_elements=[_conversations.c.person_id],
        set_={
            name: stmt.excluded[name]
            for name in ("flow", "state", "version", "slots", "last_update_id", "updated_at")
        },
    )


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

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._raw: Any = None
        dialect = engine.dialect
        self._find = Prepared(
            select(
                _people.c.id,
                _people.c.consented,
                _people.c.role,
                _conversations.c.flow,
                _conversations.c.state,
                _conversations.c.version,
                _conversations.c.slots,
                _conversations.c.last_update_id,
            )
            .select_from(
                _people.outerjoin(_conversations, _conversations.c.person_id == _people.c.id)
            )
            .where(_people.c.channel == bindparam("channel"))
            .where(_people.c.external_id == bindparam("external_id")),
            dialect,
        )
        self._create = Prepared(
            insert(_people), dialect, ["channel", "external_id", "consented", "role", "created_at"]
        )
        self._profile = Prepared(
            update(_people)
            .where(_people.c.id == bindparam("pid"))
            .values(consented=bindparam("consented"), role=bindparam("role")),
            dialect,
        )
        self._save = Prepared(
            _upsert(dialect.name),
            dialect,
            ["person_id", "flow", "state", "version", "slots", "last_update_id", "updated_at"],
        )
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
            self._raw.close()
            self._raw = None

    @staticmethod
    def _run(conn: Any, statement: Prepared, values: dict[str, Any]) -> Any:
        """Both sqlite3 and psycopg connections execute directly and return a cursor."""
        return conn.execute(statement.sql, statement.params(values))

    def load(self, channel: str, external_id: str, now: datetime) -> Loaded:
        conn = self._connection()
        key = {"channel": channel, "external_id": external_id}
        try:
            row = self._run(conn, self._find, key).fetchone()
            if row is None:
                self._run(
                    conn,
                    self._create,
                    {**key, "consented": False, "role": None, "created_at": now},
                )
                conn.commit()
                row = self._run(conn, self._find, key).fetchone()
                if row is None:  # pragma: no cover - the insert above just made it
                    raise LookupError("person vanished after insert")
            conn.rollback()  # end the read; a no-op for SQLite outside a transaction
        except Exception:
            conn.rollback()
            raise
        pid, consented, role, flow, state, version, slots, last_update_id = row
        conversation = Conversation()
        if flow is not None:
            conversation = Conversation.from_json(
                {**_json_object(slots), "flow": flow, "state": state, "version": version}
            )
        return Loaded(pid, Profile(bool(consented), _role(role)), conversation, last_update_id)

    def save(
        self,
        loaded: Loaded,
        profile: Profile,
        conversation: Conversation,
        records: Sequence[Record],
        now: datetime,
        update_id: int | None = None,
    ) -> None:
        """One transaction: the new conversation and whatever the event recorded, or neither."""
        conn = self._connection()
        pid = loaded.person_id
        data = conversation.to_json()
        try:
            if profile != loaded.profile:
                self._run(
                    conn,
                    self._profile,
                    {"pid": pid, "consented": profile.consented, "role": profile.role},
                )
            self._run(
                conn,
                self._save,
                {
                    "person_id": pid,
                    "flow": conversation.flow,
                    "state": conversation.state,
                    "version": conversation.version,
                    "slots": json.dumps(
                        {"slots": data["slots"], "history": data["history"]}, ensure_ascii=False
                    ),
                    "last_update_id": update_id if update_id is not None else loaded.last_update_id,
                    "updated_at": now,
                },
            )
            for record in records:
                if isinstance(record, JournalRecord):
                    self._run(
                        conn,
                        self._record,
                        {
                            "person_id": pid,
                            "kind": record.kind,
                            "body": encode_parts(record.parts),
                            "created_at": now,
                        },
                    )
            conn.commit()
        except Exception:
            conn.rollback()
            raise


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}
