"""One event, one transaction: a crash anywhere leaves all or nothing, and the redelivered
update completes it; two updates of one person at once lose nothing and double nothing."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, MetaData, select

from bot.service import Mend
from flows import coach
from flows.core.contract import Choice, Command, Event, Text
from storage import migrate
from storage.conversations import ConversationStore
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
from storage.memory import PersonMemory
from tests.conftest import FakeClock

CIPHER = TextCipher([new_key().encode()])
WHO = ("terminal", "sam")
SCRIPT: tuple[Event, ...] = (
    Command("start"),
    Text("1"),
    Text("1"),
    Text("3"),
    Text("1"),  # safe: the profile, the conversation, and a moment offered
    Text("2"),
    Command("checkin"),
    Text("4"),
    Text("tired but hopeful"),  # a check-in and the conversation
    Command("rituals"),
    Text("Berlin"),
    Text("1"),
    Text("1"),
    Text("1"),
    Text("1"),
    Text("1"),  # a ritual, the conversation
    Command("settings"),
    Text("1"),
    Text("Tokyo"),
    Text("1"),  # a new time zone: the profile, the conversation, the ritual rescheduled
    Command("hurt"),
    Text("the lie about money"),
    Text("1"),
    Text("1"),
    Text("1"),  # a journal entry and the conversation
)
RANDOM = frozenset({"slots", "body", "label", "words", "code_hash", "pair_group"})
"""Columns that differ between two runs of the same events (encrypted or random)."""


class Crash(Exception):
    """Stands for the process dying at that point (its transaction is never committed)."""


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            columns = [c for c in table.columns if c.name not in RANDOM]
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


class Writes:
    """Counts the writes of an event, and can crash before the n-th one or at the commit."""

    def __init__(self) -> None:
        self.count = 0
        self.crash_at: int | None = None

    def tick(self, sql: str) -> None:
        if not sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            return
        self.count += 1
        if self.count == self.crash_at:
            raise Crash(sql)

    def before_commit(self) -> None:
        if self.crash_at == self.count + 1:
            raise Crash("commit")


@contextmanager
def watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[Writes]:
    writes = Writes()
    run = ConversationStore._run
    execute = Connection.execute
    transaction = ConversationStore.transaction

    def counted_run(conn: Any, statement: Any, values: dict[str, Any]) -> Any:
        writes.tick(statement.sql)
        return run(conn, statement, values)

    def counted_execute(self: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        writes.tick(str(statement))
        return execute(self, statement, *args, **kwargs)

    def committed(self: ConversationStore, work: Callable[[Connection], Any]) -> Any:
        def then_commit(conn: Connection) -> Any:
            result = work(conn)
            writes.before_commit()
            return result

        return transaction(self, then_commit)

    with monkeypatch.context() as patch:
        patch.setattr(ConversationStore, "_run", staticmethod(counted_run))
        patch.setattr(Connection, "execute", counted_execute)
        patch.setattr(ConversationStore, "transaction", committed)
        yield writes


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    migrate.upgrade(sqlite_url(folder))
    return folder / "mend.db"


def fresh(template: Path, folder: Path) -> tuple[Engine, Mend]:
    folder.mkdir()
    shutil.copy(template, folder / "mend.db")
    engine = make_engine(sqlite_url(folder))
    return engine, Mend(engine, CIPHER, FakeClock())


def test_a_crash_between_any_two_writes_leaves_all_or_nothing_and_redelivery_completes_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, mend = fresh(template, tmp_path / "clean")
    after: list[dict[str, list[tuple[Any, ...]]]] = [snapshot(engine)]
    written: list[int] = []
    for number, event in enumerate(SCRIPT, start=1):
        with watched(monkeypatch) as writes:
            mend.handle(*WHO, event, update_id=number)
        written.append(writes.count)
        after.append(snapshot(engine))
    mend.close()
    engine.dispose()
    many = [i for i, count in enumerate(written) if count >= 2]
    assert len(many) >= 4, "the script should hold events that write several rows"

    cases = 0
    for index in many:
        for crash_at in range(2, written[index] + 2):  # before each later write, and the commit
            engine, mend = fresh(template, tmp_path / f"e{index}w{crash_at}")
            for number, event in enumerate(SCRIPT[:index], start=1):
                mend.handle(*WHO, event, update_id=number)
            with watched(monkeypatch) as writes:
                writes.crash_at = crash_at
                with pytest.raises(Crash):
                    mend.handle(*WHO, SCRIPT[index], update_id=index + 1)
            mend.close()
            assert snapshot(engine) == after[index], f"event {index}: a crash left a part"
            restarted = Mend(engine, CIPHER, FakeClock())
            restarted.handle(*WHO, SCRIPT[index], update_id=index + 1)  # redelivered
            assert snapshot(engine) == after[index + 1], f"event {index}: not completed"
            again = restarted.handle(*WHO, SCRIPT[index], update_id=index + 1)
            assert snapshot(engine) == after[index + 1], "an applied update is applied once"
            assert again.replies
            restarted.close()
            engine.dispose()
            cases += 1
    assert cases >= 12


# --- two updates of one person at once ---------------------------------------------------------


def at_once(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    first: tuple[Event, int],
    second: tuple[Event, int],
) -> None:
    """`first` reads, then waits while `second` runs to its commit; then `first` saves.

    Two services stand for two processes (or two handlers of one). No sleeping: the first
    waits on an event the second sets when it is done.
    """
    handle = coach.handle
    second_done = threading.Event()
    held = threading.local()

    def slow_first(*args: Any, **kwargs: Any) -> Any:
        outcome = handle(*args, **kwargs)
        if getattr(held, "hold", False):
            held.hold = False
            assert second_done.wait(timeout=30)
        return outcome

    monkeypatch.setattr(coach, "handle", slow_first)
    one, two = Mend(engine, CIPHER, FakeClock()), Mend(engine, CIPHER, FakeClock())
    failures: list[BaseException] = []

    def run_first() -> None:
        held.hold = True
        try:
            one.handle(*WHO, first[0], update_id=first[1])
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    def run_second() -> None:
        try:
            two.handle(*WHO, second[0], update_id=second[1])
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            second_done.set()

    a = threading.Thread(target=run_first)
    a.start()
    b = threading.Thread(target=run_second)
    b.start()
    b.join(timeout=60)
    a.join(timeout=60)
    one.close()
    two.close()
    assert not failures, failures


def into_hurt(engine: Engine, *more: Event) -> None:
    mend = Mend(engine, CIPHER, FakeClock())
    for number, event in enumerate((*SCRIPT[:6], Command("hurt"), *more), start=1):
        mend.handle(*WHO, event, update_id=number)
    mend.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, engine: Engine) -> Engine:
    if request.param == "sqlite":
        return engine
    found: Engine = request.getfixturevalue("postgres")
    return found


def test_two_answers_at_once_are_both_kept(shared: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    into_hurt(shared)
    # The older update finishes last: both answers count, in the order they were saved.
    at_once(shared, monkeypatch, (Text("the lie about money"), 100), (Text("it hurt a lot"), 101))
    store = ConversationStore(shared, CIPHER)
    loaded = store.load(*WHO, FakeClock()())
    store.close()
    assert loaded.conversation.flow == "hurt"
    kept = set(loaded.conversation.slots.values())
    assert {"it hurt a lot", "the lie about money"} <= kept
    assert loaded.seen(100) and loaded.seen(101)


def test_a_double_tap_saves_once(shared: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    into_hurt(shared, Text("the lie about money"), Text("1"), Text("1"))
    store = ConversationStore(shared, CIPHER)
    loaded = store.load(*WHO, FakeClock()())
    store.close()
    assert loaded.conversation.state == "review"
    save = Choice("hurt.review.save")
    at_once(shared, monkeypatch, (save, 200), (save, 201))
    journal = PersonMemory(shared, loaded.person_id, CIPHER).journal(10)
    assert [item.kind for item in journal] == ["hurt"]
