"""What an operator needs: a backup taken while the bot runs, numbers without names, logs a
collector can read (and that still leak nothing), and a chat that floods is held back kindly."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sqlite3
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table
from telegram.ext import Application

from bot import cli, flood, logs
from bot.flood import FloodGate, Verdict
from bot.service import Handled, Mend
from flows.core import content
from flows.core.contract import Command, Text
from storage import stats
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine
from storage.models import Agreement, ConversationRow, Delivery, Letter, Pair, Person, Ritual
from tests.conftest import TOKEN, FakeClock, feed
from tests.fake_request import FakeRequest
from tests.updates import text_update

App = Application[Any, Any, Any, Any, Any, Any]
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WHO = "EXT-PERSON-7731"  # a marker in every external id: it must never reach a figure


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The operator's shell: the data folder is tmp_path, no stray settings; logging is
    process-wide, so it is put back afterwards."""
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("MEND_SECRET_KEY", "MEND_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEND_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level, hook = root.handlers[:], root.level, sys.excepthook
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook = hook
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


# --- backup ----------------------------------------------------------------------------------


def everything(path: Path) -> list[str]:
    """The whole database as SQL (schema and every row), to compare two files."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def a_conversation(mend: Mend) -> None:
    for event in (Command("start"), Text("1"), Text("1"), Text("1")):
        mend.handle("console", WHO, event)


def test_a_backup_taken_while_the_bot_writes_restores_to_an_equal_database(
    mend: Mend, cipher: TextCipher, clock: FakeClock, tmp_path: Path, operator: None
) -> None:
    """Someone is mid-conversation and another process holds the write lock when the
    operator runs `mend backup`: the copy is the last committed state, owner-only, and a bot
    started on it finds the person exactly where they were."""
    a_conversation(mend)
    seed(mend.engine, NOW)
    source = tmp_path / "mend.db"
    committed = everything(source)
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the bot, in the middle of an event
    writer.execute(
        "INSERT INTO people (channel, external_id, consented, track, created_at) "
        "VALUES ('telegram', 'UNCOMMITTED', 0, 'couples', '2026-03-01 09:00:00')"
    )
    assert cli.main(["backup"]) == 0
    writer.execute("COMMIT")
    writer.close()

    [copy] = tmp_path.glob("mend-backup-*Z.db")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert everything(copy) == committed, "the committed state, whole; nothing half-written"
    assert not copy.with_name(copy.name + "-wal").exists(), "one self-contained file"

    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(copy, restored / "mend.db")
    engine = make_engine(f"sqlite:///{restored / 'mend.db'}")
    try:
        again = Mend(engine, cipher, clock)
        assert again.where("console", WHO) == mend.where("console", WHO)
        again.close()
    finally:
        engine.dispose()


def test_a_backup_never_overwrites_and_can_be_named(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    target = tmp_path / "kept" / "monday.db"
    target.parent.mkdir()
    assert cli.main(["backup", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    before = target.read_bytes()
    assert cli.main(["backup", str(target)]) == cli.EXIT_CONFIG
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == before, "the earlier backup is kept as it was"
    assert cli.main(["backup", str(target.parent)]) == 0, "a folder gets the default name"
    assert len(list(target.parent.glob("mend-backup-*Z.db"))) == 1


def test_on_postgresql_backup_points_to_pg_dump_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    """Exit 2: nothing was backed up, so `mend backup && upload` uploads nothing. The URL
    (with its password) is never printed."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://mend:Pa55-Hidden@db.internal/mend")
    assert cli.main(["backup"]) == cli.EXIT_CONFIG
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "pg_dump" in said and said.count("\n") == 1
    assert "Pa55-Hidden" not in said and "db.internal" not in said


# --- stats ----------------------------------------------------------------------------------


def seed(engine: Engine, now: datetime) -> None:
    """Five people, one linked pair, rituals, deliveries and agreement prompts in every
    state that counts."""
    t: dict[str, Table] = {
        "Person": Person.__table__,  # type: ignore[attr-defined]
        "ConversationRow": ConversationRow.__table__,  # type: ignore[attr-defined]
        "Pair": Pair.__table__,  # type: ignore[attr-defined]
        "Ritual": Ritual.__table__,  # type: ignore[attr-defined]
        "Delivery": Delivery.__table__,  # type: ignore[attr-defined]
        "Letter": Letter.__table__,  # type: ignore[attr-defined]
        "Agreement": Agreement.__table__,  # type: ignore[attr-defined]
    }

    def minutes(n: int) -> datetime:
        return now + timedelta(minutes=n)

    with engine.begin() as conn:
        people = [
            conn.execute(
                t["Person"]
                .insert()
                .values(
                    channel="telegram",
                    external_id=f"{WHO}-{n}",
                    consented=True,
                    track="couples",
                    created_at=now - timedelta(days=30),
                )
                .returning(t["Person"].c.id)
            ).scalar_one()
            for n in range(5)
        ]
        a, b, c, d, _ = people
        for pid, days_ago in ((a, 1), (b, 2), (c, 6), (d, 10)):  # d last wrote 10 days ago
            conn.execute(
                t["ConversationRow"]
                .insert()
                .values(
                    person_id=pid,
                    flow="",
                    state="",
                    version=0,
                    slots="{}",
                    revision=0,
                    updated_at=now - timedelta(days=days_ago),
                )
            )
        conn.execute(t["Pair"].insert().values(a_id=a, b_id=b, created_at=now))

        def ritual(pid: int, due: int, lease: int | None = None, active: bool = True) -> int:
            return int(
                conn.execute(
                    t["Ritual"]
                    .insert()
                    .values(
                        person_id=pid,
                        kind="coffee",
                        local_time="09:00",
                        days="0123456",
                        next_due_at=minutes(due),
                        lease_until=None if lease is None else minutes(lease),
                        active=active,
                        created_at=now,
                    )
                    .returning(t["Ritual"].c.id)
                ).scalar_one()
            )

        soon = ritual(a, 30)  # due within the hour
        ritual(b, 120)  # not yet
        lapsed = ritual(c, -5, lease=-1)  # claimed, lease passed, never marked
        ritual(d, 10, active=False)  # switched off
        ritual(a, -2, lease=4)  # being sent right now

        def delivery(ritual_id: int, day: str, status: str, snooze: int | None = None) -> None:
            conn.execute(
                t["Delivery"]
                .insert()
                .values(
                    ritual_id=ritual_id,
                    person_id=a,
                    local_date=day,
                    status=status,
                    due_at=now,
                    snooze_until=None if snooze is None else minutes(snooze),
                )
            )

        delivery(soon, "2026-02-27", "sent")
        delivery(lapsed, "2026-02-27", "sent")
        delivery(soon, "2026-02-26", "skipped")
        delivery(soon, "2026-02-28", "later", snooze=20)  # due again within the hour
        delivery(lapsed, "2026-02-28", "later", snooze=180)
        delivery(lapsed, "2026-02-26", "resending", snooze=-1)  # its lease passed
        delivery(soon, "2026-03-01", "claimed")
        for lease in (-1, 4, None):  # a review prompt's claim lapsed; one being sent; one idle
            conn.execute(
                t["Agreement"]
                .insert()
                .values(
                    a_id=a,
                    b_id=b,
                    body="sealed",
                    ends_on="2026-06-01",
                    review_on="2026-03-01",
                    status="active",
                    review_sent=False,
                    created_at=now,
                    lease_until=None if lease is None else minutes(lease),
                )
            )
        for _ in range(2):
            conn.execute(
                t["Letter"]
                .insert()
                .values(
                    channel="telegram",
                    external_id=f"{WHO}-0",
                    body="sealed",
                    attempts=1,
                    next_try_at=now,
                    created_at=now,
                )
            )


SEEDED = {
    "people": 5,
    "active_this_week": 3,
    "linked_pairs": 1,
    "reminders_due_next_hour": 4,  # three rituals and one put-off reminder
    "deliveries": {"claimed": 1, "later": 2, "resending": 1, "sent": 2, "skipped": 1},
    "overdue_leases": 3,  # a ritual, a put-off reminder, an agreement's prompt
    "outbox_waiting": 2,
}


@pytest.mark.parametrize("database", ["engine", "postgres"])
def test_stats_count_a_seeded_database(database: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(database)
    seed(engine, NOW)
    assert stats.read(engine, NOW).as_dict() == SEEDED


def test_mend_stats_prints_numbers_only(
    db_url: str, capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    engine = make_engine(db_url)
    seed(engine, datetime.now(UTC))
    engine.dispose()
    assert cli.main(["stats", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == SEEDED
    assert cli.main(["stats"]) == 0
    table = capsys.readouterr().out
    assert "overdue leases" in table and "deliveries later" in table
    for said in (out, table):
        assert WHO not in said and "sealed" not in said
    values = [line.rsplit(None, 1)[1] for line in table.splitlines()]
    assert all(v.isdigit() for v in values), "a number on every line, nothing else"


def test_stats_before_the_database_exists_is_one_line(
    capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    assert cli.main(["stats"]) == cli.EXIT_CONFIG
    assert "mend db upgrade" in capsys.readouterr().err


# --- JSON logs --------------------------------------------------------------------------------

SECRET_TOKEN = "123456:SECRET-TOKEN-abc"
INVITE_CODE = "Zq3xYw9VtU7sR5pO1nM2lK"  # the shape of secrets.token_urlsafe(16)


def log_everything_secret(key: str) -> None:
    log = logging.getLogger("mend.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", SECRET_TOKEN)
    log.warning("key %s; invite https://t.me/mend_bot?start=%s", key, INVITE_CODE)
    try:
        raise RuntimeError(f"boom at /bot{SECRET_TOKEN}/ for /start {INVITE_CODE}")
    except RuntimeError:
        log.exception("an update failed")


def test_json_logs_are_one_object_a_line_with_secrets_redacted(
    capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    key = new_key()
    logs.setup("INFO", secrets=[SECRET_TOKEN, key], form="json")
    log_everything_secret(key)
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "WARNING", "ERROR"]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
        assert line["logger"] == "mend.test"
        assert datetime.fromisoformat(line["time"]).tzinfo is not None
    assert "RuntimeError" in lines[2]["exception"]
    assert "[redacted]" in lines[0]["message"] and "[redacted]" in lines[1]["message"]
    for secret in (SECRET_TOKEN, key, INVITE_CODE):
        assert secret not in err


def test_an_invite_code_is_redacted_in_text_logs_too(
    capsys: pytest.CaptureFixture[str], operator: None
) -> None:
    logs.setup("INFO", secrets=[SECRET_TOKEN])
    log_everything_secret("unused")
    err = capsys.readouterr().err
    assert INVITE_CODE not in err and SECRET_TOKEN not in err
    assert "start=[redacted]" in err


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["--json-logs", "stats"], None), (["stats"], "json"), (["stats"], " JSON ")],
)
def test_json_logs_are_asked_for_by_flag_or_setting(
    argv: list[str],
    env: str | None,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    operator: None,
) -> None:
    if env is not None:
        monkeypatch.setenv("MEND_LOG_FORMAT", env)
    assert cli.main(argv) == 0
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "mend"]
    assert isinstance(handler.formatter, logs.JsonFormatter)


def test_text_logs_stay_the_default(db_url: str, operator: None) -> None:
    assert cli.main(["stats"]) == 0
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "mend"]
    assert isinstance(handler.formatter, logs.RedactingFormatter)


# --- the flood limit --------------------------------------------------------------------------

SAM, ALEX = 2002, 3003


class Ticks:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_flooding_chat_is_told_once_and_the_rest_is_set_aside_for_good(
    mend: Mend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sam's client sends 25 messages in a moment: 20 are answered, the 21st brings one kind
    line, the last four are set aside unread; none is waiting to be handed over again after
    a restart. Alex, writing meanwhile, is not held back; and once the moment has passed,
    Sam is heard again."""
    from bot.telegram_app import build_application

    handled: list[str] = []
    real = mend.handle

    def counting(channel: str, external_id: str, *args: Any, **kwargs: Any) -> Handled:
        handled.append(external_id)
        return real(channel, external_id, *args, **kwargs)

    monkeypatch.setattr(mend, "handle", counting)
    polling, sends = FakeRequest(), FakeRequest()
    app = build_application(TOKEN, mend, request=sends, get_updates_request=polling)
    ticks = Ticks()
    app.bot_data[flood.GATE] = FloodGate(clock=ticks)
    kind = content.text("flood")
    await app.initialize()
    try:
        polling.updates = [
            text_update(600 + n, SAM, "/start" if n == 0 else "hi") for n in range(25)
        ]
        fetched = await app.bot.get_updates(offset=600, timeout=0)
        assert len(mend.waiting()) == 25, "kept in the inbox as fetched"
        told: list[int] = []
        for n, update in enumerate(fetched, start=1):
            before = len(sends.sent(SAM))
            await app.process_update(update)
            told += [n] * sum(c.text == kind for c in sends.sent(SAM)[before:])
            ticks.now += 0.1
        assert handled.count(str(SAM)) == flood.LIMIT == 20
        assert told == [21], "one kind answer, for the first one over the limit"
        assert mend.waiting() == [], "the set-aside ones are settled too: never redelivered"

        await feed(app, text_update(700, ALEX, "/start"))
        assert handled.count(str(ALEX)) == 1, "another chat is not held back"

        ticks.now += flood.WINDOW
        await feed(app, text_update(701, SAM, "hi"))
        assert handled.count(str(SAM)) == 21, "after the moment, Sam is read again"
    finally:
        await app.shutdown()


def test_the_window_slides_and_the_kind_answer_comes_once_a_window() -> None:
    ticks = Ticks()
    gate = FloodGate(limit=3, window=10.0, clock=ticks)
    seen = []
    for at in (0, 1, 2, 3, 4, 9):  # three go through; then one answer, then quiet
        ticks.now = 1000.0 + at
        seen.append(gate.check(SAM))
    assert seen == [Verdict.PASS] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    ticks.now = 1010.5  # the first has left the window: room for one
    assert gate.check(SAM) is Verdict.PASS
    assert gate.check(SAM) is Verdict.DROP, "still within ten seconds of the answer"
    ticks.now = 1013.5  # a still-flooding chat hears the line again at most once a window
    assert [gate.check(SAM) for _ in range(4)] == [
        Verdict.PASS,
        Verdict.PASS,
        Verdict.WARN,
        Verdict.DROP,
    ]


def test_the_gate_forgets_chats_that_went_quiet() -> None:
    ticks = Ticks()
    gate = FloodGate(clock=ticks)
    for chat in range(1000):
        gate.check(chat)
    assert len(gate) == 1000
    ticks.now += flood.WINDOW + 1
    gate.check(SAM)
    assert len(gate) == 1, "memory follows the chats active now, not every chat ever seen"
