"""Co-signed transparency agreements: made active by both, reviewed and ended on their dates.

The review and end prompts are scheduled sends: a sweep claims an agreement with a lease and
an owner token before prompting (storage/leases.py), records each partner prompted as it
goes, and marks the prompt done only while it still owns the claim. A sweep that took over
after a lapsed lease prompts only whoever has not had it yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update

from storage import leases
from storage.models import Agreement, Person
from storage.store import Store

_agreements = Agreement.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Recipient:
    """A partner to prompt, reachable (not blocked)."""

    person_id: int
    channel: str
    external_id: str
    discreet: bool  # neutral text only


@dataclass(frozen=True, slots=True)
class Due:
    """An agreement whose review or end date has come, with the partners still to prompt."""

    id: int
    what: str  # "review" or "end"
    text: str
    recipients: tuple[Recipient, ...]
    prompted: frozenset[int] = frozenset()  # person ids already prompted for `what`
    token: str = ""  # the claim's owner: only it may record, mark or renew

    @property
    def chats(self) -> tuple[tuple[str, str], ...]:
        """(channel, external id) of each partner still to prompt."""
        return tuple((r.channel, r.external_id) for r in self.recipients)


def _prompted(value: str | None, what: str) -> frozenset[int]:
    """Who has had the `what` prompt, from the `prompted` column ("review:12,13")."""
    kind, _, ids = (value or "").partition(":")
    if kind != what:
        return frozenset()
    return frozenset(int(i) for i in ids.split(",") if i.isdigit())


def _due(today: str) -> tuple[ColumnElement[bool], ...]:
    """An agreement whose review or end prompt has come. It waits, quietly, while either
    partner's coaching is paused after a crisis or is on the individual track: safety
    outranks sharing."""
    waiting = exists().where(
        _people.c.id.in_((_agreements.c.a_id, _agreements.c.b_id)),
        or_(_people.c.paused.is_not(None), _people.c.track == "individual"),
    )
    return (
        _agreements.c.status.in_(("active", "paused")),
        or_(
            _agreements.c.ends_on <= today,
            and_(_agreements.c.review_on <= today, ~_agreements.c.review_sent),
        ),
        ~waiting,
    )


class AgreementStore(Store):
    def activate(
        self, a_id: int, b_id: int, text: str, ends_on: str, review_on: str, now: datetime
    ) -> int:
        with self._write() as conn:
            # One agreement at a time: a newer one replaces what came before.
            conn.execute(
                update(_agreements)
                .where(
                    or_(_agreements.c.a_id.in_((a_id, b_id)), _agreements.c.b_id.in_((a_id, b_id))),
                    _agreements.c.status != "ended",
                )
                .values(status="ended")
            )
            result = conn.execute(
                _agreements.insert()
                .values(
                    a_id=a_id,
                    b_id=b_id,
                    body=self._cipher.encrypt(text),
                    ends_on=ends_on,
                    review_on=review_on,
                    status="active",
                    created_at=now,
                )
                .returning(_agreements.c.id)
            )
            return int(result.scalar_one())

    def toggle_pause(self, person_id: int) -> str | None:
        """Pause the person's agreement, or resume it; returns the new status (None: none)."""
        with self._write() as conn:
            row = conn.execute(
                select(_agreements.c.id, _agreements.c.status).where(
                    or_(_agreements.c.a_id == person_id, _agreements.c.b_id == person_id),
                    _agreements.c.status.in_(("active", "paused")),
                )
            ).first()
            if row is None:
                return None
            status = "paused" if row.status == "active" else "active"
            conn.execute(
                update(_agreements).where(_agreements.c.id == row.id).values(status=status)
            )
            return status

    def due(self, today: str) -> list[Due]:
        """Reviews and ends that have come, unclaimed (to look at; a sweep uses `claim`)."""
        with self._read() as conn:
            rows = conn.execute(select(_agreements).where(*_due(today))).all()
            return self._with_people(conn, rows, today, "")

    def claim(self, today: str, now: datetime, lease: timedelta, batch: int) -> list[Due]:
        """Prompts that have come, claimed until `now + lease` under a new owner token."""
        token = leases.new_token()
        free = or_(_agreements.c.lease_until.is_(None), _agreements.c.lease_until < now)
        due = select(_agreements.c.id).where(*_due(today), free).order_by(_agreements.c.id)
        due = due.limit(batch)
        if self._postgres:
            due = due.with_for_update(skip_locked=True, of=_agreements)
        claim = (
            update(_agreements)
            .where(_agreements.c.id.in_(due.scalar_subquery()), free)
            .values(lease_until=now + lease, claim_token=token)
            .returning(*_agreements.c)
        )
        with self._write() as conn:
            rows = conn.execute(claim).all()
            return self._with_people(conn, rows, today, token)

    def _with_people(self, conn: Any, rows: Sequence[Any], today: str, token: str) -> list[Due]:
        ids = sorted({i for row in rows for i in (row.a_id, row.b_id)})
        people = {
            p.id: p
            for p in conn.execute(
                select(
                    _people.c.id,
                    _people.c.channel,
                    _people.c.external_id,
                    _people.c.discreet,
                    _people.c.active,
                ).where(_people.c.id.in_(ids))
            )
        }
        out: list[Due] = []
        for row in sorted(rows, key=lambda r: r.id):
            what = "end" if row.ends_on <= today else "review"
            prompted = _prompted(row.prompted, what)
            partners = [people[i] for i in (row.a_id, row.b_id) if i in people]
            out.append(
                Due(
                    row.id,
                    what,
                    self._cipher.decrypt(row.body),
                    tuple(
                        Recipient(p.id, p.channel, p.external_id, bool(p.discreet))
                        for p in partners
                        if p.active and p.id not in prompted
                    ),
                    prompted,
                    token,
                )
            )
        return out

    def renew(self, token: str, agreement_ids: Sequence[int], until: datetime) -> set[int]:
        """Hold what this claim still owns until `until`; the ids missing from the answer
        were taken over by another sweep."""
        with self._write() as conn:
            return leases.renew(
                conn, _agreements, _agreements.c.lease_until, token, agreement_ids, until
            )

    def note_prompted(
        self, token: str, agreement_id: int, what: str, person_ids: Iterable[int]
    ) -> bool:
        """Record who has had the prompt so far, if `token` still owns the claim."""
        value = f"{what}:{','.join(str(i) for i in sorted(set(person_ids)))}"
        with self._write() as conn:
            done = conn.execute(
                update(_agreements)
                .where(_agreements.c.id == agreement_id, _agreements.c.claim_token == token)
                .values(prompted=value)
            )
        return bool(done.rowcount)

    def mark(self, token: str, agreement_id: int, what: str) -> bool:
        """The prompt is done (reviewed, or the agreement ended), if `token` still owns the
        claim; False: another sweep took it over, and nothing changed."""
        values: dict[str, object] = {"lease_until": None, "prompted": None}
        values.update({"status": "ended"} if what == "end" else {"review_sent": True})
        with self._write() as conn:
            done = conn.execute(
                update(_agreements)
                .where(_agreements.c.id == agreement_id, _agreements.c.claim_token == token)
                .values(values)
            )
        return bool(done.rowcount)

    def release(self, token: str, agreement_ids: Sequence[int]) -> None:
        """Give claims back (to be tried on the next sweep), if still ours."""
        if agreement_ids:
            with self._write() as conn:
                conn.execute(
                    update(_agreements)
                    .where(
                        _agreements.c.id.in_(list(agreement_ids)),
                        _agreements.c.claim_token == token,
                    )
                    .values(lease_until=None)
                )
