"""The tables. Free text lives only in `conversations.slots` and `journal_entries.body`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Person(SQLModel, table=True):
    """Someone who talks to Mend, through one channel (Telegram, the terminal)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_people_channel_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    consented: bool = Field(default=False)
    role: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ConversationRow(SQLModel, table=True):
    """Where a person is in a step, saved after every event so a restart resumes exactly."""

    __tablename__ = "conversations"

    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    )
    flow: str = Field(default="", max_length=32)
    state: str = Field(default="", max_length=32)
    version: int = Field(default=0)
    slots: str = Field(default="{}", sa_type=Text)
    # The newest Telegram update applied, so a redelivered update is never applied twice.
    last_update_id: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class JournalEntry(SQLModel, table=True):
    """Something a person chose to keep: a named hurt, an "I felt…" statement."""

    __tablename__ = "journal_entries"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(max_length=32)
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
