"""What both benchmarks share: a throw-away database and a Mend app on a fake request."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from telegram import Update
from telegram.ext import Application

from bot.service import Mend
from bot.telegram_app import build_application
from flows.core.contract import Profile
from storage import migrate
from storage.engine import make_engine, sqlite_url
from tests.fake_request import FakeRequest
from tests.updates import text_update

TOKEN = "123456:BENCH"
App = Application[Any, Any, Any, Any, Any, Any]


POSTGRES_URL = os.environ.get(
    "MEND_BENCH_POSTGRES_URL", "postgresql+psycopg://mend:mend@127.0.0.1/mend_bench"
)


def postgres_reachable() -> bool:
    """Whether the bench's PostgreSQL database answers (the variant is left out if not)."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # no server, no database, no driver: measure SQLite only
        return False


@contextmanager
def database(postgres: bool = False) -> Iterator[Engine]:
    """A fresh database: SQLite in a temporary folder, or the bench's PostgreSQL emptied."""
    if postgres:
        fresh = create_engine(POSTGRES_URL)
        with fresh.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        fresh.dispose()
        migrate.upgrade(POSTGRES_URL)
        engine = make_engine(POSTGRES_URL)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="mend-bench-") as folder:
        url = sqlite_url(Path(folder))
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def consent(mend: Mend, user_ids: range) -> None:
    """People who finished /start, so measured traffic is the healing steps themselves."""
    now = datetime.now(UTC)
    for uid in user_ids:
        loaded = mend.store.load("telegram", str(uid), now)
        mend.store.save(loaded, Profile(True, "hurt"), loaded.conversation, [], now)


def journal_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM journal_entries")).scalar() or 0)


async def mend_app(mend: Mend, prime_in_thread: bool = False) -> App:
    app = build_application(
        TOKEN,
        mend,
        request=FakeRequest(record=False),
        get_updates_request=FakeRequest(record=False),
        prime_in_thread=prime_in_thread,
    )
    await app.initialize()
    return app


def updates(
    bot: Any, script: list[str], user_ids: range, first_id: int = 1, vary: bool = False
) -> list[Update]:
    """Each person sends the script in turn, interleaved as real traffic would be.

    `vary` makes every person's free text their own (a few words differ), so nothing that
    remembers recent texts (the language model's cache) can make the measure look cheaper.
    """
    out: list[Update] = []
    update_id = first_id
    for line in script:
        for uid in user_ids:
            typed = line
            if vary and not line.startswith("/") and not line.isdecimal():
                typed = f"{line}, {_DAYS[uid % len(_DAYS)]} {uid % 97} times"
            out.append(Update.de_json(text_update(update_id, uid, typed), bot))
            update_id += 1
    return out


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
