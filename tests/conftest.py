"""Shared fixtures: a migrated temporary SQLite, the service, and a PTB app on a fake request."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from telegram import Update
from telegram.ext import Application

from bot import flood
from bot.service import Mend
from bot.telegram_app import build_application
from storage import migrate
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
from tests.fake_api_fixture import fake_api  # noqa: F401  (the fixture, re-exported)
from tests.fake_request import FakeRequest

TOKEN = "123456:TEST-TOKEN"


class FakeClock:
    """A clock tests move by hand; nothing sleeps."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    return url


POSTGRES_URL = os.environ.get("MEND_TEST_POSTGRES_URL", "")


@pytest.fixture
def postgres() -> Iterator[Engine]:
    """A migrated, empty PostgreSQL (`.ci/run` provides one); skipped where there is none."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL (MEND_TEST_POSTGRES_URL unset)")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(POSTGRES_URL)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cipher() -> TextCipher:
    return TextCipher([new_key().encode()])


@pytest.fixture
def mend(engine: Engine, cipher: TextCipher, clock: FakeClock) -> Iterator[Mend]:
    service = Mend(engine, cipher, clock)
    yield service
    service.close()


@pytest.fixture
def request_log() -> FakeRequest:
    return FakeRequest()


@pytest.fixture
async def app(
    mend: Mend, request_log: FakeRequest
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = build_application(
        TOKEN, mend, request=request_log, get_updates_request=FakeRequest()
    )
    # Scripted people press buttons faster than anyone can: the flood limit is tested on its
    # own (tests/bot/test_operator.py), and here leaves long scripts alone.
    application.bot_data[flood.GATE] = flood.FloodGate(limit=100_000)
    await application.initialize()
    yield application
    await application.shutdown()


async def feed(
    application: Application[Any, Any, Any, Any, Any, Any], payload: dict[str, Any]
) -> None:
    """Push one update through PTB's real dispatch, as polling would."""
    await application.process_update(Update.de_json(payload, application.bot))
