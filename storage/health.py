"""What an operator's probes ask of the database: reachable, on the newest schema, and how
many reminders are waiting. Read-only and cheap, on the engine the bot already holds (a
probe every few seconds must not open a new pool each time)."""

from __future__ import annotations

from datetime import datetime

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from storage import migrate
from storage.models import Ritual

_rituals = Ritual.__table__  # type: ignore[attr-defined]


def reachable(engine: Engine) -> bool:
    """One round trip; any failure (refused, timed out, a broken pool) is "no"."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def schema_current(engine: Engine) -> bool:
    """Whether the database is at the revision this code expects."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == migrate.head()


def reminder_backlog(engine: Engine, now: datetime) -> int:
    """Rituals due by now and not yet sent (a sent one has moved on to its next time)."""
    due = (
        select(func.count())
        .select_from(_rituals)
        .where(_rituals.c.active, _rituals.c.next_due_at <= now)
    )
    with engine.connect() as conn:
        return int(conn.execute(due).scalar_one())
