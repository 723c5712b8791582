"""Reading a person's journal back (a cold path, so the ORM is fine here)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.contract import JournalItem
from storage.conversations import decode_parts
from storage.models import JournalEntry


class JournalReader:
    """The coach's `Memory` for one person: it may read only that person's entries."""

    def __init__(self, engine: Engine, person_id: int) -> None:
        self._engine = engine
        self._person_id = person_id

    def journal(self, limit: int) -> list[JournalItem]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(JournalEntry)
                .where(JournalEntry.person_id == self._person_id)
                .order_by(col(JournalEntry.created_at).desc(), col(JournalEntry.id).desc())
                .limit(limit)
            ).all()
        return [
            JournalItem(row.kind, decode_parts(row.body), row.created_at.strftime("%d %b %Y"))
            for row in rows
        ]
