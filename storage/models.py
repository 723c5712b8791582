"""The tables. Free text lives only in `conversations.slots` and `journal_entries.body`,
and both are encrypted before they reach the database (storage/crypto.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
    false,
    true,
)
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
    country: str | None = Field(default=None, max_length=2)
    track: str = Field(
        default="couples", max_length=12, sa_column_kwargs={"server_default": "couples"}
    )
    # The crisis that paused relationship coaching, until the person chooses to resume.
    paused: str | None = Field(default=None, max_length=12)
    discreet: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    reminders_paused: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    safety_checked_on: str | None = Field(default=None, max_length=10)
    timezone: str | None = Field(default=None, max_length=64)
    quiet_from: str | None = Field(default=None, max_length=5)  # local "HH:MM"
    quiet_to: str | None = Field(default=None, max_length=5)
    # False once Telegram says they blocked the bot; true again when they write.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # Said "ready" for exercises for two; they open when both partners have.
    ready_for_two: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The local date they last said "I'm safe" when asked after a possible signal.
    safe_said_on: str | None = Field(default=None, max_length=10)
    # The local date of their last full crisis response.
    crisis_on: str | None = Field(default=None, max_length=10)
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
    # The newest message id in the chat, so the discreet exit knows what to clear.
    last_message_id: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Raised by every save: a save from a stale read finds it moved on, and the event reruns.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The last few update ids applied ("1,2,3"), for updates that finish out of order.
    recent_updates: str | None = Field(default=None, max_length=700)
    # The first message id of the last 48 hours (Telegram lets a bot delete that far back):
    # where the quick exit starts.
    window_from: int | None = Field(default=None, sa_type=BigInteger)
    window_since: datetime | None = Field(default=None, sa_type=UTCDateTime)


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


class Ritual(SQLModel, table=True):
    """A small daily ritual at a local time; `next_due_at` is that time in UTC.

    `label` holds the person's own words for a ritual they wrote themself (encrypted);
    `days` lists weekday digits, Monday = 0. `lease_until` marks a claim by a sweep, and
    `claim_token` names its owner: only the owner may mark or renew it, so a sweep that
    lost its claim (its lease ran out and another took over) cannot mark or resend.
    """

    __tablename__ = "rituals"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(max_length=16)
    label: str | None = Field(default=None, sa_type=Text)
    local_time: str = Field(max_length=5)
    days: str = Field(max_length=7)
    next_due_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=32)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # Shared by both rituals of an "ours" pair: kept on a day when both said done.
    pair_group: str | None = Field(default=None, max_length=32)
    # Who set up an "ours" pair (their words may be in the label): not a foreign key, since
    # the partner's copy outlives them only after their words are taken out of it.
    author_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Delivery(SQLModel, table=True):
    """One reminder for one ritual on one local date: the unique pair makes it arrive once."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("ritual_id", "local_date", name="uq_deliveries_ritual_day"),)

    id: int | None = Field(default=None, primary_key=True)
    ritual_id: int = Field(
        sa_column=Column(Integer, ForeignKey("rituals.id", ondelete="CASCADE"), nullable=False)
    )
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    local_date: str = Field(max_length=10)
    prompt_id: str | None = Field(default=None, max_length=48)
    status: str = Field(max_length=12)  # claimed, sent, skipped, done, not_today, later
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snooze_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # The owner of a "later" being sent again (status "resending", its lease in snooze_until).
    claim_token: str | None = Field(default=None, max_length=32)


class Checkin(SQLModel, table=True):
    """ "How safe and close did you feel today?" — at most one a day; a second one updates it."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("person_id", "local_date", name="uq_checkins_person_day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    local_date: str = Field(max_length=10)
    score: int
    words: str | None = Field(default=None, sa_type=Text)  # encrypted
    # The score (never the words) may be shared with a linked partner, if the person says so.
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Invite(SQLModel, table=True):
    """A partner invite: only the hash of its code is kept, so the table cannot be replayed."""

    __tablename__ = "invites"
    __table_args__ = (UniqueConstraint("code_hash", name="uq_invites_code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Pair(SQLModel, table=True):
    """Two linked partners; each person is in at most one pair."""

    __tablename__ = "pairs"
    __table_args__ = (
        UniqueConstraint("a_id", name="uq_pairs_a"),
        UniqueConstraint("b_id", name="uq_pairs_b"),
    )

    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    b_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Share(SQLModel, table=True):
    """Something one partner chose to send the other, after a preview (body encrypted).

    Deleting either person deletes it, so what they shared leaves the partner's view too.
    """

    __tablename__ = "shares"

    id: int | None = Field(default=None, primary_key=True)
    from_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    to_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(max_length=16)
    body: str = Field(sa_type=Text)
    reply_to: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Agreement(SQLModel, table=True):
    """A transparency agreement both accepted: active until its end date, reviewable, pausable."""

    __tablename__ = "agreements"

    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    b_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    body: str = Field(sa_type=Text)  # encrypted: the agreed terms as the partners saw them
    ends_on: str = Field(max_length=10)
    review_on: str = Field(max_length=10)
    status: str = Field(max_length=12)  # active, paused, ended
    review_sent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # A sweep's claim on the review or end prompt (its owner and lease), and who has had the
    # prompt so far ("review:12,13"), so a sweep taking over sends only to whoever has not.
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=32)
    prompted: str | None = Field(default=None, max_length=64)


class KeyFingerprint(SQLModel, table=True):
    """A key that has sealed stored words (a short hash of it, never the key itself).

    Start-up refuses a configuration with none of these keys: reading with a wrong key would
    show empty words, and the next save would mix two keys in one database.
    """

    __tablename__ = "key_fingerprints"

    fingerprint: str = Field(primary_key=True, max_length=16)
    first_used_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class InboxUpdate(SQLModel, table=True):
    """An update fetched from Telegram and not yet handled (kept encrypted, deleted once done).

    Long polling confirms a batch when it asks for the next one, before the batch's handlers
    have run; what is written here first is handled after a crash instead of being lost.
    """

    __tablename__ = "inbox"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    body: str = Field(sa_type=Text)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Letter(SQLModel, table=True):
    """Messages an event produced for one chat, kept until Telegram has them (the outbox).

    Written in the event's own transaction, so a crash can delay them but not lose them.
    """

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    body: str = Field(sa_type=Text)
    attempts: int = Field(default=0)
    next_try_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
