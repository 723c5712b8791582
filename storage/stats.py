"""`mend stats`: how the service is doing, in numbers only.

An operator needs to see load and trouble (a backlog of reminders, claims that ran out, an
outbox that does not drain) without ever seeing who anyone is: every figure here is a count,
and the only words are the fixed delivery statuses. Core statements on one connection, the
same on SQLite and PostgreSQL; nothing is decrypted, so no key is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, Table, and_, func, select

from storage.models import Agreement, ConversationRow, Delivery, Letter, Pair, Person, Ritual

_people: Table = Person.__table__  # type: ignore[attr-defined]
_conversations: Table = ConversationRow.__table__  # type: ignore[attr-defined]
_pairs: Table = Pair.__table__  # type: ignore[attr-defined]
_rituals: Table = Ritual.__table__  # type: ignore[attr-defined]
_deliveries: Table = Delivery.__table__  # type: ignore[attr-defined]
_outbox: Table = Letter.__table__  # type: ignore[attr-defined]
_agreements: Table = Agreement.__table__  # type: ignore[attr-defined]

WEEK = timedelta(days=7)
SOON = timedelta(hours=1)
SNOOZED = "later"  # a reminder the person put off: due again at its snooze time
RESENDING = "resending"  # a put-off reminder claimed for sending (its lease is snooze_until)


@dataclass(frozen=True, slots=True)
class Stats:
    people: int
    active_this_week: int  # whose conversation was saved in the last 7 days
    linked_pairs: int
    reminders_due_next_hour: int  # rituals and put-off reminders due by then (late ones too)
    deliveries: dict[str, int] = field(default_factory=dict)  # status → count, all time
    overdue_leases: int = 0  # claimed for sending, lease passed, never marked (any kind)
    outbox_waiting: int = 0  # messages decided but not yet confirmed sent

    def as_dict(self) -> dict[str, object]:
        return {
            "people": self.people,
            "active_this_week": self.active_this_week,
            "linked_pairs": self.linked_pairs,
            "reminders_due_next_hour": self.reminders_due_next_hour,
            "deliveries": dict(sorted(self.deliveries.items())),
            "overdue_leases": self.overdue_leases,
            "outbox_waiting": self.outbox_waiting,
        }


def _count(conn: Connection, table: Table, *where: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def read(engine: Engine, now: datetime) -> Stats:
    """Every figure at `now` (aware UTC), read in one transaction so they agree."""
    soon = now + SOON
    with engine.connect() as conn, conn.begin():
        statuses = conn.execute(
            select(_deliveries.c.status, func.count()).group_by(_deliveries.c.status)
        ).all()
        ritual_due = _count(conn, _rituals, _rituals.c.active, _rituals.c.next_due_at < soon)
        snoozed_due = _count(
            conn,
            _deliveries,
            _deliveries.c.status == SNOOZED,
            _deliveries.c.snooze_until < soon,
        )
        # A claim is cleared when its sweep marks the send or gives it back; one still set
        # and passed means a sender died (or stalled) mid-send. A put-off reminder's claim is
        # its status "resending" with the lease in snooze_until.
        lapsed = sum(
            _count(conn, table, and_(table.c.lease_until.is_not(None), table.c.lease_until < now))
            for table in (_rituals, _agreements)
        )
        lapsed_resends = _count(
            conn,
            _deliveries,
            _deliveries.c.status == RESENDING,
            _deliveries.c.snooze_until < now,
        )
        active = _count(conn, _conversations, _conversations.c.updated_at >= now - WEEK)
        return Stats(
            people=_count(conn, _people),
            active_this_week=active,
            linked_pairs=_count(conn, _pairs),
            reminders_due_next_hour=ritual_due + snoozed_due,
            deliveries={str(status): int(n) for status, n in statuses},
            overdue_leases=lapsed + lapsed_resends,
            outbox_waiting=_count(conn, _outbox),
        )
