"""Check-ins and the facts /progress draws from: scores, wins, rituals kept, steps visited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from flows.core.contract import Progress
from storage.models import Checkin, Delivery, JournalEntry, Ritual, Share
from storage.store import Store

_checkins = Checkin.__table__  # type: ignore[attr-defined]
_journal = JournalEntry.__table__  # type: ignore[attr-defined]
_deliveries = Delivery.__table__  # type: ignore[attr-defined]
_shares = Share.__table__  # type: ignore[attr-defined]
_rituals = Ritual.__table__  # type: ignore[attr-defined]

class ProgressStore(Store):

    def save_checkin(
        self,
        person_id: int,
        local_date: str,
        score: int,
        words: str | None,
        now: datetime,
        shared: bool = False,
    ) -> None:
        """Insert today's check-in, or replace it: at most one a day."""
        make = postgresql.insert if self._postgres else sqlite.insert
        values = {
            "person_id": person_id,
            "local_date": local_date,
            "score": score,
            "words": self._cipher.encrypt(words) if words else None,
            "updated_at": now,
            "shared": shared,
        }
        stmt = make(_checkins).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id", "local_date"],
            set_={
                "score": stmt.excluded.score,
                "words": stmt.excluded.words,
                "updated_at": stmt.excluded.updated_at,
                "shared": stmt.excluded.shared,
            },
        )
        with self._write() as conn:
            conn.execute(stmt)

    def checkin_on(self, person_id: int, local_date: str) -> int | None:
        with self._read() as conn:
            found = conn.execute(
                select(_checkins.c.score).where(
                    _checkins.c.person_id == person_id, _checkins.c.local_date == local_date
                )
            ).scalar()
        return int(found) if found is not None else None

    def export(self, person_id: int) -> list[dict[str, object]]:
        with self._read() as conn:
            rows = conn.execute(
                select(_checkins.c.local_date, _checkins.c.score, _checkins.c.words)
                .where(_checkins.c.person_id == person_id)
                .order_by(_checkins.c.local_date)
            ).all()
        return [
            {"date": d, "score": s, "words": self._cipher.decrypt(w) if w else None}
            for d, s, w in rows
        ]

    def together(self, person_id: int, partner_id: int, before: str) -> tuple[str, int, int] | None:
        """The latest day before `before` on which both shared their score: (day, mine, theirs)."""
        with self._read() as conn:
            rows = conn.execute(
                select(_checkins.c.person_id, _checkins.c.local_date, _checkins.c.score)
                .where(
                    _checkins.c.person_id.in_((person_id, partner_id)),
                    _checkins.c.shared,
                    _checkins.c.local_date < before,
                )
                .order_by(_checkins.c.local_date.desc())
                .limit(60)
            ).all()
        mine = {d: s for p, d, s in rows if p == person_id}
        theirs = {d: s for p, d, s in rows if p == partner_id}
        both = sorted(set(mine) & set(theirs), reverse=True)
        return (both[0], int(mine[both[0]]), int(theirs[both[0]])) if both else None

    def progress(self, person_id: int) -> Progress:
        with self._read() as conn:
            checkins = conn.execute(
                select(_checkins.c.local_date, _checkins.c.score)
                .where(_checkins.c.person_id == person_id)
                .order_by(_checkins.c.local_date)
            ).all()
            journal = conn.execute(
                select(_journal.c.kind, _journal.c.created_at)
                .where(_journal.c.person_id == person_id)
                .order_by(_journal.c.created_at)
            ).all()
            kept = conn.execute(
                select(_deliveries.c.local_date, _rituals.c.pair_group)
                .join(_rituals, _rituals.c.id == _deliveries.c.ritual_id)
                .where(_deliveries.c.person_id == person_id, _deliveries.c.status == "done")
                .order_by(_deliveries.c.local_date)
            ).all()
            groups = sorted({g for _, g in kept if g})
            both_done = set()
            if groups:
                done = conn.execute(
                    select(_rituals.c.pair_group, _deliveries.c.local_date)
                    .join(_rituals, _rituals.c.id == _deliveries.c.ritual_id)
                    .where(_rituals.c.pair_group.in_(groups), _deliveries.c.status == "done")
                ).all()
                counts: dict[tuple[str, str], int] = {}
                for group, day in done:
                    counts[(group, day)] = counts.get((group, day), 0) + 1
                both_done = {key for key, n in counts.items() if n >= 2}
            shared_wins = conn.execute(
                select(_shares.c.created_at).where(
                    _shares.c.to_id == person_id, _shares.c.kind == "win"
                )
            ).all()
        wins = tuple(
            sorted(
                [_day(created) for kind, created in journal if kind == "win"]
                + [_day(created) for (created,) in shared_wins]
            )
        )
        kinds = tuple(dict.fromkeys(kind for kind, _ in journal))
        return Progress(
            checkins=tuple((day, int(score)) for day, score in checkins),
            wins=wins,
            # An "ours" ritual counts as kept only on days when both partners said done.
            rituals_kept=tuple(
                day for day, group in kept if group is None or (group, day) in both_done
            ),
            kinds=kinds,
        )


def _day(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)[:10]
