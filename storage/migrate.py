"""Schema migrations without an alembic.ini to find: the scripts ship inside the package.

Migrations run once, by `mend db upgrade`, never by a bot starting up: several replicas
starting together on an empty PostgreSQL would each create the same tables, and all but one
fail. On PostgreSQL the upgrade holds an advisory lock, so two upgrades at once (two
deploy jobs, an operator and a pipeline) take turns: the second finds the schema current and
does nothing. The bot only checks (`schema`) and refuses to start on an old one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import make_url

from storage.engine import make_engine

MIGRATE_LOCK = 0x6D656E645F6D6967  # "mend_mig": the advisory lock `mend db upgrade` holds


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    # ConfigParser treats % as interpolation; a password may contain one.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Up to `revision`; on PostgreSQL under the advisory lock, on the connection Alembic
    uses (SQLite takes its own write lock and needs none)."""
    if make_url(url).get_backend_name() != "postgresql":
        command.upgrade(config(url), revision)
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # A session lock: it outlives the commit below and every migration's own, and
            # goes with the connection if this process dies.
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATE_LOCK})")
            conn.commit()  # Alembic then begins and commits its own transaction
            try:
                cfg = config(url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
            finally:
                conn.rollback()  # whatever a failure left open, so the unlock can run
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATE_LOCK})")
                conn.commit()
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    command.downgrade(config(url), revision)


@functools.cache
def head() -> str | None:
    """The newest revision this code ships (read from the packaged scripts once)."""
    return ScriptDirectory.from_config(config("sqlite://")).get_current_head()


@dataclass(frozen=True, slots=True)
class Schema:
    """Where a database's schema stands against this code."""

    found: str | None  # the database's revision; None when it has no schema yet
    known: bool  # whether this code ships that revision (False: a newer mend upgraded it)

    @property
    def current(self) -> bool:
        return self.found == head()


def schema(url: str) -> Schema:
    """Read-only: the revision the database is at (SQLAlchemy errors pass through). A SQLite
    file that is not there yet is not made just to be found empty."""
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        return Schema(None, True)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return Schema(found, found is None or _ships(found))


def _ships(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(config("sqlite://")).get_revision(revision) is not None
    except CommandError:
        return False


def is_current(url: str) -> bool:
    """Whether the database is at the newest revision (the bot refuses to run otherwise)."""
    return schema(url).current
