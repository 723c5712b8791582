"""Rituals and their deliveries: the storage side of reminders that arrive once.

The sweep claims due rituals with one portable `UPDATE … RETURNING` that sets a lease and
an owner token (storage/leases.py), so two bot processes never take the same row, and only
the owner may mark, renew or release it: a sweep whose lease ran out and was taken over
cannot mark the day or move the ritual on. Each reminder is keyed by (ritual, local date)
under a unique constraint, which is what makes it arrive once across restarts and processes.
On PostgreSQL the claim also skips rows another process has locked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from flows.core.contract import RitualItem
from flows.views.reminders import OWN as OWN_WORDS
from storage import leases
from storage.conversations import DELETABLE
from storage.models import ConversationRow, Delivery, Person, Ritual
from storage.store import Store

_rituals = Ritual.__table__  # type: ignore[attr-defined]
_deliveries = Delivery.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]
_conversations = ConversationRow.__table__  # type: ignore[attr-defined]

RECENT_DAYS = 30

# What a sweep needs to know of a ritual and of its person (both claim queries use these).
_RITUAL_FACTS = (
    _rituals.c.id,
    _rituals.c.person_id,
    _rituals.c.kind,
    _rituals.c.label,
    _rituals.c.local_time,
    _rituals.c.days,
    _rituals.c.next_due_at,
)
_PERSON_FACTS = (
    _people.c.channel,
    _people.c.external_id,
    _people.c.timezone,
    _people.c.quiet_from,
    _people.c.quiet_to,
    _people.c.discreet,
    _people.c.role,
    _people.c.active,
    _people.c.reminders_paused,
    _people.c.paused,
    _people.c.track,
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A due ritual with what the sweep needs to know about its person."""

    ritual_id: int
    person_id: int
    kind: str
    label: str | None
    local_time: str
    days: str
    due_at: datetime
    channel: str
    external_id: str
    timezone: str | None
    quiet_from: str | None
    quiet_to: str | None
    discreet: bool
    role: str | None
    reachable: bool  # active, and reminders not paused by the person
    paused: bool = False  # coaching paused after a crisis: only a neutral reminder
    individual: bool = False  # on the individual track: no questions meant for two
    token: str = ""  # the claim's owner: only it may mark, renew or release the claim


class RitualStore(Store):
    # --- the person's own rituals (cold paths) ------------------------------------------

    def add(
        self,
        person_id: int,
        kind: str,
        label: str | None,
        local_time: str,
        days: str,
        next_due_at: datetime,
        now: datetime,
        pair_group: str | None = None,
        author_id: int | None = None,
    ) -> int:
        with self._write() as conn:
            found = conn.execute(
                _rituals.insert()
                .values(
                    person_id=person_id,
                    kind=kind,
                    label=self._cipher.encrypt(label) if label else None,
                    local_time=local_time,
                    days=days,
                    next_due_at=next_due_at,
                    created_at=now,
                    pair_group=pair_group,
                    author_id=author_id,
                    active=True,
                )
                .returning(_rituals.c.id)
            )
            return int(found.scalar_one())

    def of_person(self, person_id: int) -> list[RitualItem]:
        with self._read() as conn:
            rows = conn.execute(
                select(_rituals)
                .where(_rituals.c.person_id == person_id, _rituals.c.active)
                .order_by(_rituals.c.local_time, _rituals.c.id)
            ).all()
        return [
            RitualItem(
                r.id,
                r.kind,
                self._cipher.decrypt(r.label) if r.label else None,
                r.local_time,
                r.days,
            )
            for r in rows
        ]

    def part(self, person_id: int, other_id: int) -> None:
        """The link between two people ended (or one of them left): their shared rituals
        become each one's own, and a ritual in one person's words leaves the other's list."""
        with self._write() as conn:
            shared = (
                _rituals.c.person_id.in_((person_id, other_id)),
                _rituals.c.pair_group.is_not(None),
            )
            conn.execute(
                delete(_rituals).where(
                    *shared,
                    _rituals.c.kind == OWN_WORDS,
                    _rituals.c.author_id.is_not(None),
                    _rituals.c.author_id != _rituals.c.person_id,
                )
            )
            conn.execute(update(_rituals).where(*shared).values(pair_group=None, author_id=None))

    def remove(self, person_id: int, ritual_id: int) -> bool:
        """Only the person's own ritual: a forged id for someone else's changes nothing."""
        with self._write() as conn:
            done = conn.execute(
                delete(_rituals).where(
                    _rituals.c.id == ritual_id, _rituals.c.person_id == person_id
                )
            )
        return bool(done.rowcount)

    def schedule(self, person_id: int, ritual_id: int) -> tuple[str, str] | None:
        """(local time, days) of one of the person's own rituals; None for anyone else's."""
        with self._read() as conn:
            found = conn.execute(
                select(_rituals.c.local_time, _rituals.c.days).where(
                    _rituals.c.id == ritual_id,
                    _rituals.c.person_id == person_id,
                    _rituals.c.active,
                )
            ).first()
        return None if found is None else (found.local_time, found.days)

    def change(
        self, person_id: int, ritual_id: int, local_time: str, days: str, next_due_at: datetime
    ) -> bool:
        """A new time and days for the person's own ritual (a forged id changes nothing).

        A day already reminded stays reminded: the (ritual, local date) key still holds, so
        moving a ritual later the same day does not bring a second reminder that day.
        """
        with self._write() as conn:
            done = conn.execute(
                update(_rituals)
                .where(_rituals.c.id == ritual_id, _rituals.c.person_id == person_id)
                .values(local_time=local_time, days=days, next_due_at=next_due_at, lease_until=None)
            )
        return bool(done.rowcount)

    def reschedule(self, person_id: int, next_due: Iterable[tuple[int, datetime]]) -> None:
        """New next_due_at values (after a change of time zone)."""
        with self._write() as conn:
            for ritual_id, due in next_due:
                conn.execute(
                    update(_rituals)
                    .where(_rituals.c.id == ritual_id, _rituals.c.person_id == person_id)
                    .values(next_due_at=due, lease_until=None)
                )

    # --- the sweep (hot for the scheduler: Core, in batches) -------------------------------

    def claim(self, now: datetime, lease: timedelta, batch: int) -> list[Claimed]:
        """Due rituals, claimed until `now + lease` under a new owner token (one per claim)."""
        token = leases.new_token()
        free = or_(_rituals.c.lease_until.is_(None), _rituals.c.lease_until < now)
        due = (
            select(_rituals.c.id)
            .where(_rituals.c.active, _rituals.c.next_due_at <= now, free)
            .order_by(_rituals.c.next_due_at)
            .limit(batch)
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        claim = (
            update(_rituals)
            # `free` again: a row claimed meanwhile by another process is re-checked here.
            .where(_rituals.c.id.in_(due.scalar_subquery()), free)
            .values(lease_until=now + lease, claim_token=token)
            .returning(*_RITUAL_FACTS, _rituals.c.pair_group)
        )
        with self._write() as conn:
            rituals = conn.execute(claim).all()
            if not rituals:
                return []
            ids = sorted({r.person_id for r in rituals})
            people = {
                p.id: p
                for p in conn.execute(
                    select(_people.c.id, *_PERSON_FACTS).where(_people.c.id.in_(ids))
                )
            }
        # Each reminder follows its own person's state only: a partner's reminder never
        # changes because of the other's safety (that would tell them something happened).
        return [self._claimed(r, people[r.person_id], token) for r in rituals]

    def renew(self, token: str, ritual_ids: Sequence[int], until: datetime) -> set[int]:
        """Hold what this claim still owns until `until` (a sweep still sending); the ids it
        no longer owns are missing from the answer: another sweep took them over."""
        with self._write() as conn:
            return leases.renew(conn, _rituals, _rituals.c.lease_until, token, ritual_ids, until)

    def _claimed(self, ritual: Any, person: Any, token: str) -> Claimed:
        """A claimed ritual with its person's facts (rows from either claim query)."""
        return Claimed(
            ritual_id=ritual.id,
            person_id=ritual.person_id,
            kind=ritual.kind,
            label=self._cipher.decrypt(ritual.label) if ritual.label else None,
            local_time=ritual.local_time,
            days=ritual.days,
            due_at=ritual.next_due_at,
            channel=person.channel,
            external_id=person.external_id,
            timezone=person.timezone,
            quiet_from=person.quiet_from,
            quiet_to=person.quiet_to,
            discreet=bool(person.discreet),
            role=person.role,
            reachable=bool(person.active) and not bool(person.reminders_paused),
            paused=person.paused is not None,
            individual=person.track == "individual",
            token=token,
        )

    def open_deliveries(self, rows: Sequence[dict[str, Any]]) -> dict[int, tuple[int, str]]:
        """Record (ritual, local date) once; return ritual → (delivery id, status).

        A row that already existed keeps its status: "claimed" means a sweep crashed before
        sending (send it now); anything else means this day is already handled.
        """
        if not rows:
            return {}
        make = postgresql.insert if self._postgres else sqlite.insert
        insert = make(_deliveries).on_conflict_do_nothing(
            index_elements=["ritual_id", "local_date"]
        )
        keys = [(r["ritual_id"], r["local_date"]) for r in rows]
        with self._write() as conn:
            conn.execute(insert, list(rows))
            found = conn.execute(
                select(
                    _deliveries.c.ritual_id,
                    _deliveries.c.local_date,
                    _deliveries.c.id,
                    _deliveries.c.status,
                ).where(
                    _deliveries.c.ritual_id.in_(sorted({rid for rid, _ in keys})),
                    _deliveries.c.local_date.in_(sorted({day for _, day in keys})),
                )
            ).all()
        wanted = set(keys)
        return {
            f.ritual_id: (f.id, f.status) for f in found if (f.ritual_id, f.local_date) in wanted
        }

    def recent_prompts(self, person_ids: Sequence[int], since: str) -> dict[int, dict[str, str]]:
        """person → prompt id → last local date used, for no repeats within 30 days."""
        if not person_ids:
            return {}
        with self._read() as conn:
            rows = conn.execute(
                select(
                    _deliveries.c.person_id,
                    _deliveries.c.prompt_id,
                    func.max(_deliveries.c.local_date),
                )
                .where(
                    _deliveries.c.person_id.in_(person_ids),
                    _deliveries.c.local_date >= since,
                    _deliveries.c.prompt_id.is_not(None),
                )
                .group_by(_deliveries.c.person_id, _deliveries.c.prompt_id)
            ).all()
        out: dict[int, dict[str, str]] = {}
        for person_id, prompt_id, day in rows:
            out.setdefault(person_id, {})[prompt_id] = day
        return out

    def finish(
        self,
        token: str,
        deliveries: Sequence[dict[str, Any]],
        rituals: Sequence[dict[str, Any]],
    ) -> set[int]:
        """Mark deliveries (status, prompt, sent time) and move rituals to their next time,
        for the rituals `token` still owns; returns their ids (the others changed nothing).

        Each delivery names its ritual (`r_id`). One transaction, so a ritual never advances
        without its day being recorded. The rituals are written first: on PostgreSQL that
        locks them, so no one can take them over between the fence and the marks. A day
        already answered by its person ("done", "later") keeps that answer.
        """
        ids = sorted({r["r_id"] for r in rituals} | {d["r_id"] for d in deliveries})
        if not ids:
            return set()
        with self._write() as conn:
            if rituals:
                conn.execute(
                    update(_rituals)
                    .where(
                        _rituals.c.id == bindparam("r_id"),
                        _rituals.c.claim_token == bindparam("owner"),
                    )
                    .values(next_due_at=bindparam("next_due_at"), lease_until=None),
                    [{**r, "owner": token} for r in rituals],
                )
            held = set(
                conn.execute(
                    select(_rituals.c.id).where(
                        _rituals.c.id.in_(ids), _rituals.c.claim_token == token
                    )
                ).scalars()
            )
            mine = [d for d in deliveries if d["r_id"] in held]
            if mine:
                conn.execute(
                    update(_deliveries)
                    .where(_deliveries.c.id == bindparam("d_id"), _deliveries.c.status == "claimed")
                    .values(
                        status=bindparam("status"),
                        prompt_id=bindparam("prompt_id"),
                        sent_at=bindparam("sent_at"),
                    ),
                    mine,
                )
        return held

    def release(self, token: str, ritual_ids: Sequence[int]) -> None:
        """Give a claim back (a send that must be retried on the next sweep), if still ours."""
        if ritual_ids:
            with self._write() as conn:
                conn.execute(
                    update(_rituals)
                    .where(_rituals.c.id.in_(list(ritual_ids)), _rituals.c.claim_token == token)
                    .values(lease_until=None)
                )

    def note_sent(self, person_id: int, message_id: int, now: datetime) -> None:
        """A reminder went out before anything else in the last 48 hours: the quick exit must
        reach back to it (see `Loaded.window`)."""
        with self._write() as conn:
            conn.execute(
                update(_conversations)
                .where(
                    _conversations.c.person_id == person_id,
                    or_(
                        _conversations.c.window_since.is_(None),
                        _conversations.c.window_since <= now - DELETABLE,
                        _conversations.c.window_from > message_id,
                    ),
                )
                .values(window_from=message_id, window_since=now)
            )

    def mark_unreachable(self, person_id: int) -> None:
        """Telegram said they blocked the bot: leave them alone until they write again."""
        with self._write() as conn:
            conn.execute(update(_people).where(_people.c.id == person_id).values(active=False))

    # --- what a person does with a reminder ---------------------------------------------

    def set_status(
        self, person_id: int, delivery_id: int, status: str, snooze_until: datetime | None = None
    ) -> None:
        with self._write() as conn:
            conn.execute(
                update(_deliveries)
                .where(_deliveries.c.id == delivery_id, _deliveries.c.person_id == person_id)
                .values(status=status, snooze_until=snooze_until)
            )

    def claim_snoozed(
        self, now: datetime, batch: int, lease: timedelta = timedelta(minutes=5)
    ) -> list[tuple[Claimed, int, str | None]]:
        """Reminders whose "later" has come, claimed once under a new owner token:
        (ritual and person, delivery, prompt)."""
        token = leases.new_token()
        ready = (
            _deliveries.c.status.in_(("later", "resending")),
            _deliveries.c.snooze_until <= now,
        )
        due = select(_deliveries.c.id).where(*ready).limit(batch)
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        claim = (
            update(_deliveries)
            .where(_deliveries.c.id.in_(due.scalar_subquery()), *ready)
            # "resending" with a lease: a crash mid-send is retried when the lease runs out.
            .values(status="resending", snooze_until=now + lease, claim_token=token)
            .returning(_deliveries.c.id, _deliveries.c.ritual_id, _deliveries.c.prompt_id)
        )
        with self._write() as conn:
            claimed = conn.execute(claim).all()
            if not claimed:
                return []
            rows = conn.execute(
                select(*_RITUAL_FACTS, *_PERSON_FACTS)
                .join(_people, _people.c.id == _rituals.c.person_id)
                .where(_rituals.c.id.in_([c.ritual_id for c in claimed]))
            ).all()
        by_ritual = {r.id: r for r in rows}
        out: list[tuple[Claimed, int, str | None]] = []
        for c in claimed:
            r = by_ritual.get(c.ritual_id)
            if r is None:
                continue
            out.append((self._claimed(r, r, token), c.id, c.prompt_id))
        return out

    def renew_snoozed(self, token: str, delivery_ids: Sequence[int], until: datetime) -> set[int]:
        """`renew` for put-off reminders being sent again (their lease is `snooze_until`)."""
        with self._write() as conn:
            return leases.renew(
                conn,
                _deliveries,
                _deliveries.c.snooze_until,
                token,
                delivery_ids,
                until,
                _deliveries.c.status == "resending",
            )

    def mark_delivery(
        self, token: str, delivery_id: int, status: str, sent_at: datetime | None
    ) -> bool:
        """Settle a put-off reminder sent again, if `token` still owns it (False: it does not,
        and nothing changed; a person's own answer meanwhile also stays)."""
        with self._write() as conn:
            done = conn.execute(
                update(_deliveries)
                .where(
                    _deliveries.c.id == delivery_id,
                    _deliveries.c.claim_token == token,
                    _deliveries.c.status == "resending",
                )
                .values(status=status, sent_at=sent_at)
            )
        return bool(done.rowcount)

    def release_snoozed(self, token: str, delivery_id: int, now: datetime) -> None:
        """Give a put-off reminder back to be tried on the next sweep, if still ours."""
        with self._write() as conn:
            conn.execute(
                update(_deliveries)
                .where(
                    _deliveries.c.id == delivery_id,
                    _deliveries.c.claim_token == token,
                    _deliveries.c.status == "resending",
                )
                .values(status="later", snooze_until=now)
            )
