"""The hot path: load a person and their conversation, then save the outcome of one event.

Every message goes through here, so it uses a handful of Core statements compiled once and
run on one long-lived driver connection: a read, then one short write transaction — never
the ORM, never a transaction held open across a Telegram call (DESIGN §5). The same
functions serve PostgreSQL: only the insert is chosen per dialect. The row's revision makes
a save from a stale read fail (`Conflict`) rather than overwrite a newer answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    bindparam,
    delete,
    exists,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from flows.core.contract import (
    RISKS,
    Conversation,
    JournalRecord,
    Profile,
    Record,
    Reply,
    Risk,
    role_of,
)
from storage.crypto import TextCipher
from storage.models import ConversationRow, InboxUpdate, JournalEntry, Letter, Pair, Person
from storage.outbox import GRACE as LETTER_GRACE
from storage.outbox import encode as encode_letter
from storage.prepared import Prepared
from storage.store import Conflict, locked

T = TypeVar("T")
REDELIVERY_WINDOW = timedelta(hours=24)
DELETABLE = timedelta(hours=48)
"""How far back Telegram lets a bot delete messages in a private chat."""
RECENT_UPDATES = 32
HOT_BUSY_MS = 100
NEW = 0
"""The person id of someone not stored yet (database ids start at 1)."""

_pairs = Pair.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]
_conversations = ConversationRow.__table__  # type: ignore[attr-defined]
_journal = JournalEntry.__table__  # type: ignore[attr-defined]
_inbox = InboxUpdate.__table__  # type: ignore[attr-defined]
_outbox = Letter.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Loaded:
    """One read of a person (not frozen: made on every message, and a frozen dataclass
    costs microseconds to build; nobody changes it after `load`)."""

    person_id: int
    profile: Profile
    conversation: Conversation
    last_update_id: int | None = None
    last_message_id: int | None = None

    updated_at: Any = None
    now: datetime | None = None
    active: bool = True
    revision: int | None = None  # None: no conversation saved yet
    recent_updates: str = ""  # the last few update ids applied, "1,2,3"
    channel: str = ""  # for someone new only: who to store
    external_id: str = ""
    window_from: int | None = None  # the first message id of the last 48 hours
    window_since: datetime | None = None

    @property
    def stored(self) -> bool:
        return self.person_id != NEW

    def seen(self, update_id: int | None) -> bool:
        """Whether this update was already applied (Telegram redelivers after a crash).

        The last few ids are kept, because two updates handled at once may finish in either
        order; an id older than all of them was applied long ago. Only within a day of the
        last change: Telegram keeps undelivered updates that long, and after a quiet week it
        may start its ids again below the last one seen. (Checked as text first: this runs
        on every message, and a new id is almost always simply not there.)
        """
        if update_id is None or self.now is None:
            return False
        if not self.recent_updates:  # saved before ids were kept as a list
            applied = self.last_update_id is not None and update_id <= self.last_update_id
        elif f",{update_id}," in f",{self.recent_updates},":
            applied = True
        else:
            ids = self.recent_updates.split(",")
            applied = len(ids) >= RECENT_UPDATES and update_id < min(map(int, ids))
        return applied and _recent(self.updated_at, self.now)

    def window(self, message_id: int | None, now: datetime) -> tuple[int | None, datetime | None]:
        """Where the last 48 hours begin, moved on by a message that comes after them."""
        since = self.window_since
        if message_id is not None and (since is None or now - since >= DELETABLE):
            return message_id, now
        return self.window_from, since

    def with_update(self, update_id: int | None) -> str:
        """The recent ids with this one added ("1,2,3"), the oldest dropped past the limit."""
        if update_id is None:
            return self.recent_updates
        ids = f"{self.recent_updates},{update_id}" if self.recent_updates else str(update_id)
        extra = ids.count(",") + 1 - RECENT_UPDATES
        return ids.split(",", extra)[-1] if extra > 0 else ids


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
        role=role_of(role),
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


CONVERSATION_COLUMNS = (
    "flow",
    "state",
    "version",
    "slots",
    "last_update_id",
    "last_message_id",
    "updated_at",
    "recent_updates",
    "window_from",
    "window_since",
)


def _first_save(dialect: str) -> Insert:
    """A person's first conversation row; if another event saved it first, nothing happens
    (and the caller, seeing no row written, runs its event again on what is there now)."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return make(_conversations).on_conflict_do_nothing(index_elements=["person_id"])


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
        # One connection per thread that runs the hot path: the event loop's, and on
        # PostgreSQL the worker threads the adapter hands updates to (a connection is not to
        # be shared between threads).
        self._local = threading.local()
        self._all: list[Connection] = []
        self._all_lock = threading.Lock()
        self._autocommits = engine.dialect.name == "postgresql"
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
                _conversations.c.revision,
                _conversations.c.recent_updates,
                _conversations.c.window_from,
                _conversations.c.window_since,
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
        self._insert = Prepared(
            _first_save(dialect.name), dialect, ["person_id", *CONVERSATION_COLUMNS, "revision"]
        )
        self._update = Prepared(
            update(_conversations)
            .where(_conversations.c.person_id == bindparam("pid"))
            .where(_conversations.c.revision == bindparam("seen"))
            .values(
                {
                    **{name: bindparam(name) for name in CONVERSATION_COLUMNS},
                    "revision": _conversations.c.revision + literal_column("1"),
                }
            ),
            dialect,
        )
        self._reachable = Prepared(
            update(_people).where(_people.c.id == bindparam("pid")).values(active=true()), dialect
        )
        self._erase = Prepared(delete(_people).where(_people.c.id == bindparam("pid")), dialect)
        self._record = Prepared(
            insert(_journal), dialect, ["person_id", "kind", "body", "created_at"]
        )
        self._settle = Prepared(
            delete(_inbox).where(_inbox.c.update_id == bindparam("update_id")), dialect
        )
        self._letter = Prepared(
            insert(_outbox).returning(_outbox.c.id),
            dialect,
            ["channel", "external_id", "body", "attempts", "next_try_at", "created_at"],
        )
        self._delivered = Prepared(
            delete(_outbox).where(_outbox.c.id == bindparam("letter_id")), dialect
        )


    def _connection(self) -> Connection:
        """One connection kept for the process's thread: the hot path skips the pool.

        On SQLite it waits for someone else's lock only briefly (`HOT_BUSY_MS`): it runs on
        the event loop, and the adapter waits longer without holding everyone up.
        """
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._engine.connect()
            if self._engine.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA busy_timeout={HOT_BUSY_MS}")
                conn.commit()
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def _drop(self) -> None:
        """This thread's connection failed: let it go; the next use opens a new one."""
        conn: Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._all_lock:
                if conn in self._all:
                    self._all.remove(conn)
            _let_go(conn)

    def close(self) -> None:
        """Every thread's connection (the service is closing)."""
        with self._all_lock:
            conns, self._all = self._all, []
        self._local = threading.local()
        for conn in conns:
            _let_go(conn)

    def _is_lost(self, error: Exception) -> bool:
        """The connection itself failed (raw from the driver, or wrapped by SQLAlchemy); a
        lock held by someone else is not that (the caller waits it out)."""
        if locked(error):
            return False
        if isinstance(error, DBAPIError):
            return bool(error.connection_invalidated) or isinstance(error.orig, self._lost)
        return isinstance(error, self._lost)

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one transaction and commit, or roll all of it back.

        The hot path's statements go straight to the driver, and a store bound to `conn`
        (`Store.within`) runs through SQLAlchemy on the same driver connection, so both land
        in one transaction; whichever began it, the commit or rollback covers everything.
        A lost connection is replaced and the whole of `work` tried once more: it is held for
        the process's life, so the pool cannot notice that a database restarted or a proxy
        dropped it; without this, every later message would fail. `Conflict` is the caller's
        to handle (it reruns the event on fresh state).
        """
        for attempt in (1, 2):
            conn = self._connection()
            driver: Any = conn.connection.driver_connection
            try:
                result = work(conn)
                if conn.in_transaction():
                    conn.commit()
                elif getattr(driver, "in_transaction", True):
                    driver.commit()
                return result
            except Exception as error:
                with contextlib.suppress(Exception):
                    if conn.in_transaction():
                        conn.rollback()
                    else:
                        driver.rollback()
                if not self._is_lost(error):
                    raise
                self._drop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, work: Callable[[Connection], T]) -> T:
        """A read on its own, straight on the driver: no transaction bookkeeping on the path
        every message takes (sqlite3 opens none for a read). On PostgreSQL it runs in
        autocommit: one round trip, where BEGIN, SELECT and COMMIT took three."""
        for attempt in (1, 2):
            conn = self._connection()
            driver: Any = conn.connection.driver_connection
            try:
                if self._autocommits:
                    driver.autocommit = True
                    try:
                        return work(conn)
                    finally:
                        driver.autocommit = False
                result = work(conn)
                if getattr(driver, "in_transaction", True):
                    driver.commit()
                return result
            except Exception as error:
                with contextlib.suppress(Exception):
                    driver.rollback()
                if not self._is_lost(error):
                    raise
                self._drop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _run(driver: Any, statement: Prepared, values: dict[str, Any]) -> Any:
        """Straight on the driver connection (sqlite3, psycopg), in its open transaction."""
        return driver.execute(statement.sql, statement.params(values))

    def load(self, channel: str, external_id: str, now: datetime, create: bool = True) -> Loaded:
        """The person and where they are. Someone new is stored at once (`create`), or, for
        an event, by the event's own transaction (`write`), so a crash leaves no trace."""
        key = {"channel": channel, "external_id": external_id}

        def find(conn: Connection) -> Any:
            driver = conn.connection.driver_connection
            row = self._run(driver, self._find, key).fetchone()
            if row is None and create:
                self._person(conn, channel, external_id, now)
                row = self._run(driver, self._find, key).fetchone()
            return row

        row = self.transaction(find) if create else self._read(find)
        if row is None:
            return Loaded(
                NEW, Profile(), Conversation(), now=now, channel=channel, external_id=external_id
            )
        width = len(PROFILE_COLUMNS)
        pid, active, paired = row[0], bool(row[1]), bool(row[2])
        profile = profile_from(row[3 : 3 + width], paired)
        (flow, state, version, slots, last_update_id, last_message_id, updated_at, revision) = row[
            3 + width : 11 + width
        ]
        recent = _ids(row[11 + width])
        window_from, window_since = row[12 + width], _aware(row[13 + width])
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
            pid,
            profile,
            conversation,
            last_update_id,
            last_message_id,
            updated_at,
            now,
            active,
            None if flow is None else int(revision or 0),
            recent,
            window_from=window_from,
            window_since=window_since,
        )

    def _person(self, conn: Connection, channel: str, external_id: str, now: datetime) -> int:
        """Store someone new; `Conflict` if another event stored them first."""
        driver = conn.connection.driver_connection
        key = {"channel": channel, "external_id": external_id}
        new = {**key, "created_at": now, "active": True, **profile_values(Profile())}
        if self._run(driver, self._create, new).rowcount != 1:
            raise Conflict("person")
        row = self._run(driver, self._find, key).fetchone()
        return int(row[0])

    def write(
        self,
        conn: Connection,
        loaded: Loaded,
        profile: Profile,
        conversation: Conversation,
        now: datetime,
        update_id: int | None = None,
        message_id: int | None = None,
    ) -> int:
        """Where the person is now, inside the event's transaction; first, so the row is
        locked before anything else is written. Raises `Conflict` when another event of the
        same person saved since `loaded` was read. Returns the person's id (new or not)."""
        driver = conn.connection.driver_connection
        pid = loaded.person_id
        if pid == NEW:
            pid = self._person(conn, loaded.channel, loaded.external_id, now)
        data = conversation.to_json()
        window = loaded.window(message_id, now)
        slots = self._cipher.encrypt(
            json.dumps({"slots": data["slots"], "history": data["history"]}, ensure_ascii=False)
        )
        row = {
            "pid": pid,
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
            "recent_updates": loaded.with_update(update_id),
            "window_from": window[0],
            "window_since": window[1],
            "seen": loaded.revision,
            "revision": 0,
        }
        statement = self._insert if loaded.revision is None else self._update
        if self._run(driver, statement, row).rowcount != 1:
            raise Conflict("conversation")
        if profile != loaded.profile:
            self._run(driver, self._profile, {"pid": pid, **profile_values(profile)})
        if not loaded.active:  # they wrote again after blocking: reminders may resume
            self._run(driver, self._reachable, {"pid": pid})
        return pid

    def journal(
        self, conn: Connection, person_id: int, record: JournalRecord, now: datetime
    ) -> None:
        entry = {
            "person_id": person_id,
            "kind": record.kind,
            "body": self._cipher.encrypt(encode_parts(record.parts)),
            "created_at": now,
        }
        self._run(conn.connection.driver_connection, self._record, entry)

    def post(
        self, conn: Connection, mail: Sequence[tuple[str, str, Sequence[Reply]]], now: datetime
    ) -> list[int]:
        """Letters for the outbox, inside the event's transaction (see `storage.outbox`)."""
        driver = conn.connection.driver_connection
        ids = []
        for channel, external_id, replies in mail:
            row = {
                "channel": channel,
                "external_id": external_id,
                "body": self._cipher.encrypt(encode_letter(replies)),
                "attempts": 0,
                "next_try_at": now + LETTER_GRACE,
                "created_at": now,
            }
            ids.append(int(self._run(driver, self._letter, row).fetchone()[0]))
        return ids

    def delivered(self, letters: Sequence[int]) -> None:
        """Sent: the letters leave the outbox (one short transaction for all of them)."""

        def work(conn: Connection) -> None:
            driver = conn.connection.driver_connection
            for letter in letters:
                self._run(driver, self._delivered, {"letter_id": letter})

        if letters and self._autocommits:
            # Each deletion stands alone (a letter sent is gone, whatever follows): one round
            # trip apiece on PostgreSQL instead of a transaction's three.
            self._read(work)
        elif letters:
            self.transaction(work)

    def settle_in(self, conn: Connection, update_id: int) -> None:
        """The update leaves the inbox inside the caller's transaction."""
        self._run(conn.connection.driver_connection, self._settle, {"update_id": update_id})

    def settle(self, update_id: int) -> None:
        """An update fully handled (its replies sent) leaves the inbox: one short statement
        on this connection, as cheap as the event's own write."""

        def work(conn: Connection) -> None:
            self._run(conn.connection.driver_connection, self._settle, {"update_id": update_id})

        self.transaction(work)

    def erase(self, person_id: int, conn: Connection | None = None) -> None:
        """Delete the person; foreign keys cascade to every row that is theirs."""
        def work(c: Connection) -> None:
            self._run(c.connection.driver_connection, self._erase, {"pid": person_id})

        if conn is not None:
            work(conn)
        else:
            self.transaction(work)

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
        """The conversation and its journal entries on their own (tools and tests); the bot
        writes everything an event produced through `bot.unit`."""

        def work(conn: Connection) -> None:
            pid = self.write(conn, loaded, profile, conversation, now, update_id, message_id)
            for record in records:
                if isinstance(record, JournalRecord):
                    self.journal(conn, pid, record, now)

        self.transaction(work)


def _let_go(conn: Connection) -> None:
    with contextlib.suppress(Exception):
        conn.invalidate()
    with contextlib.suppress(Exception):
        conn.close()


def _recent(updated_at: Any, now: datetime) -> bool:
    """Whether the row changed within the day Telegram keeps undelivered updates."""
    changed = _aware(updated_at)
    return changed is not None and now - changed < REDELIVERY_WINDOW


def _aware(value: Any) -> datetime | None:
    """A stored time as aware UTC (SQLite hands back text or a naive value)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _ids(raw: Any) -> str:
    """The stored recent ids, or none when the value is not a plain list of numbers."""
    text = str(raw or "")
    return text if text.replace(",", "").isdigit() else ""


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}
