"""Co-signed transparency agreements: made active by both, reviewed and ended on their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from storage.models import Agreement, Person
from storage.store import Store

_agreements = Agreement.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Due:
    """An agreement whose review or end date has come, with both partners' chats."""

    id: int
    what: str  # "review" or "end"
    text: str
    chats: tuple[tuple[str, str], ...]  # (channel, external id) of each partner
    discreet: tuple[bool, ...] = ()  # per partner, in the same order: neutral text only


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
        """Reviews and ends that have come (each is sent once; marking is the caller's)."""
        with self._read() as conn:
            rows = conn.execute(
                select(_agreements).where(
                    _agreements.c.status.in_(("active", "paused")),
                    or_(
                        _agreements.c.ends_on <= today,
                        (_agreements.c.review_on <= today) & ~_agreements.c.review_sent,
                    ),
                )
            ).all()
            out: list[Due] = []
            for row in rows:
                people = conn.execute(
                    select(
                        _people.c.channel,
                        _people.c.external_id,
                        _people.c.paused,
                        _people.c.track,
                        _people.c.discreet,
                        _people.c.active,
                    ).where(_people.c.id.in_((row.a_id, row.b_id)))
                ).all()
                if any(p.paused is not None or p.track == "individual" for p in people):
                    continue  # safety outranks sharing: it waits, quietly
                what = "end" if row.ends_on <= today else "review"
                out.append(
                    Due(
                        row.id,
                        what,
                        self._cipher.decrypt(row.body),
                        tuple((p.channel, p.external_id) for p in people if p.active),
                        tuple(bool(p.discreet) for p in people if p.active),
                    )
                )
        return out

    def mark(self, agreement_id: int, what: str) -> None:
        values = {"status": "ended"} if what == "end" else {"review_sent": True}
        with self._write() as conn:
            conn.execute(update(_agreements).where(_agreements.c.id == agreement_id).values(values))
