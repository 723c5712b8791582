"""Migrations run once: two `mend db upgrade` at once on an empty PostgreSQL take turns
under an advisory lock and leave one schema (without it, one failed with a UniqueViolation
on pg_type in most tries)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage import migrate
from storage.engine import make_engine, sqlite_url
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3  # each round is a fresh race; unlocked, at least one of three failed in tests
GATED = (
    "import sys\n"
    "from bot import cli\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()  # the gate: both are ready, the test opens it for both at once\n"
    "sys.exit(cli.main(['db', 'upgrade']))\n"
)


def empty(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def upgrader(url: str) -> subprocess.Popen[str]:
    """A `mend db upgrade` process, imported and waiting at its gate."""
    env = {k: v for k, v in os.environ.items() if k != "MEND_SECRET_KEY"}
    env.update({"DATABASE_URL": url, "MEND_LANGUAGE_MODEL": "false", "LOG_LEVEL": "WARNING"})
    process = subprocess.Popen(
        [sys.executable, "-c", GATED],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_upgrades_at_once_on_an_empty_postgresql_leave_one_schema(round_: int) -> None:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL (MEND_TEST_POSTGRES_URL unset)")
    empty(POSTGRES_URL)
    both = [upgrader(POSTGRES_URL), upgrader(POSTGRES_URL)]
    for process in both:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [process.communicate(timeout=120) for process in both]
    for process, (_, err) in zip(both, results, strict=True):
        assert process.returncode == 0, err[-2000:]

    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert [v for (v,) in versions] == [migrate.head()], "one schema, at the newest revision"
    assert set(SQLModel.metadata.tables) <= tables


def test_the_schema_is_read_without_changing_anything(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "data")
    assert migrate.schema(url).found is None
    assert not (tmp_path / "data" / "mend.db").exists(), "looking made no database"
    migrate.upgrade(url)
    assert migrate.schema(url).current
    migrate.downgrade(url, "-1")
    old = migrate.schema(url)
    assert not old.current and old.known and old.found is not None

    engine = make_engine(url)
    with engine.begin() as conn:  # as a newer mend would leave it
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    newer = migrate.schema(url)
    assert not newer.current and not newer.known
