"""Partner mode's storage: invites kept only as hashes, pairs, and shared items.

Every lookup is scoped to the person asking, so forged ids, someone else's invite, or a pair
one is not in can never be read or acted on.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from flows.core.policy import Join, Other, safe_for_two
from storage.models import Agreement, Invite, Pair, Person, Share
from storage.store import Conflict, Store

_invites = Invite.__table__  # type: ignore[attr-defined]
_pairs = Pair.__table__  # type: ignore[attr-defined]
_shares = Share.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]
_agreements = Agreement.__table__  # type: ignore[attr-defined]

INVITE_LIFETIME = timedelta(hours=72)
CODE_BYTES = 16  # 128 bits


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Partner:
    person_id: int
    channel: str
    external_id: str
    reachable: bool
    safe_for_two: bool  # neither paused after a crisis nor on the individual track
    ready_for_two: bool = False
    timezone: str | None = None

    @property
    def other(self) -> Other:
        return Other(self.safe_for_two, self.reachable)


@dataclass(frozen=True, slots=True)
class SharedItem:
    id: int
    from_id: int
    kind: str
    body: str


class PartnerStore(Store):

    def create_invite(self, person_id: int, now: datetime) -> str:
        code = secrets.token_urlsafe(CODE_BYTES)
        with self._write() as conn:
            conn.execute(
                _invites.insert().values(
                    person_id=person_id,
                    code_hash=code_hash(code),
                    created_at=now,
                    expires_at=now + INVITE_LIFETIME,
                )
            )
        return code

    def partner_of(self, person_id: int) -> Partner | None:
        with self._read() as conn:
            row = conn.execute(
                select(_pairs.c.a_id, _pairs.c.b_id).where(
                    or_(_pairs.c.a_id == person_id, _pairs.c.b_id == person_id)
                )
            ).first()
            if row is None:
                return None
            other = row.b_id if row.a_id == person_id else row.a_id
            p = conn.execute(
                select(
                    _people.c.channel,
                    _people.c.external_id,
                    _people.c.active,
                    _people.c.paused,
                    _people.c.track,
                    _people.c.ready_for_two,
                    _people.c.timezone,
                ).where(_people.c.id == other)
            ).first()
        if p is None:  # pragma: no cover - the pair row cascades with the person
            return None
        return Partner(
            other,
            p.channel,
            p.external_id,
            bool(p.active),
            safe_for_two(p.paused, p.track),
            bool(p.ready_for_two),
            p.timezone,
        )

    def redeem(self, code: str, person_id: int, now: datetime) -> tuple[Join, int | None]:
        """Link the person to whoever made the invite; (outcome, inviter id when linked)."""
        with self._write() as conn:
            invite = conn.execute(
                select(_invites).where(_invites.c.code_hash == code_hash(code))
            ).first()
            if invite is None:
                return Join.UNKNOWN, None
            if self._postgres:
                # Serialise joins that involve either person (PostgreSQL reads do not block).
                conn.execute(
                    select(_people.c.id)
                    .where(_people.c.id.in_((person_id, invite.person_id)))
                    .with_for_update()
                )
            if invite.person_id == person_id:
                return Join.OWN, None
            if invite.used_at is not None:
                return Join.USED, None
            expires = invite.expires_at
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=now.tzinfo)
            if expires <= now:
                return Join.EXPIRED, None
            inviter = conn.execute(
                select(_people.c.active).where(_people.c.id == invite.person_id)
            ).first()
            if inviter is None or not inviter.active:
                return Join.GONE, None

            def linked(who: int) -> bool:
                return (
                    conn.execute(
                        select(_pairs.c.id).where(or_(_pairs.c.a_id == who, _pairs.c.b_id == who))
                    ).first()
                    is not None
                )

            if linked(person_id):
                return Join.ALREADY, None
            if linked(invite.person_id):
                return Join.USED, None  # said like any unusable invite: it reveals nothing
            used = conn.execute(
                update(_invites)
                .where(_invites.c.id == invite.id, _invites.c.used_at.is_(None))
                .values(used_at=now)
            )
            if used.rowcount != 1:
                return Join.USED, None
            try:
                conn.execute(
                    _pairs.insert().values(a_id=invite.person_id, b_id=person_id, created_at=now)
                )
            except IntegrityError:
                # Another process linked one of the two meanwhile: run the event again,
                # on fresh state, where it reads as "already linked".
                raise Conflict("pair") from None
            # Two joins racing (another process): nobody may end up in two pairs.
            both = (person_id, invite.person_id)
            count = conn.execute(
                select(func.count())
                .select_from(_pairs)
                .where(or_(_pairs.c.a_id.in_(both), _pairs.c.b_id.in_(both)))
            ).scalar()
            if (count or 0) > 1:
                raise Conflict("pair")
        return Join.LINKED, int(invite.person_id)

    def unlink(self, person_id: int) -> Partner | None:
        """Remove the link; returns who was on the other side (to tell them gently)."""
        partner = self.partner_of(person_id)
        with self._write() as conn:
            conn.execute(
                delete(_pairs).where(or_(_pairs.c.a_id == person_id, _pairs.c.b_id == person_id))
            )
            # An agreement belongs to the link: it ends with it.
            conn.execute(
                update(_agreements)
                .where(
                    or_(_agreements.c.a_id == person_id, _agreements.c.b_id == person_id),
                    _agreements.c.status != "ended",
                )
                .values(status="ended")
            )
        return partner

    def linked_since(self, person_id: int) -> datetime | None:
        with self._read() as conn:
            found = conn.execute(
                select(_pairs.c.created_at).where(
                    or_(_pairs.c.a_id == person_id, _pairs.c.b_id == person_id)
                )
            ).scalar()
        return found if isinstance(found, datetime) else None

    def share(
        self,
        from_id: int,
        to_id: int,
        kind: str,
        body: str,
        now: datetime,
        reply_to: int | None = None,
    ) -> int:
        with self._write() as conn:
            result = conn.execute(
                _shares.insert()
                .values(
                    from_id=from_id,
                    to_id=to_id,
                    kind=kind,
                    body=self._cipher.encrypt(body),
                    reply_to=reply_to,
                    created_at=now,
                )
                .returning(_shares.c.id)
            )
            return int(result.scalar_one())

    def answer_once(self, person_id: int, share_id: int, now: datetime) -> bool:
        """Mark a share answered by its recipient; False if it already was (a replay)."""
        with self._write() as conn:
            done = conn.execute(
                update(_shares)
                .where(
                    _shares.c.id == share_id,
                    _shares.c.to_id == person_id,
                    _shares.c.answered_at.is_(None),
                )
                .values(answered_at=now)
            )
        return bool(done.rowcount)

    def received(self, person_id: int, share_id: int) -> SharedItem | None:
        """A shared item only its recipient can see, from their current partner, since this
        link began; anything else (an ex-partner's, someone else's) reads as missing."""
        with self._read() as conn:
            pair = conn.execute(
                select(_pairs.c.a_id, _pairs.c.b_id, _pairs.c.created_at).where(
                    or_(_pairs.c.a_id == person_id, _pairs.c.b_id == person_id)
                )
            ).first()
            if pair is None:
                return None
            partner = pair.b_id if pair.a_id == person_id else pair.a_id
            row = conn.execute(
                select(_shares).where(
                    _shares.c.id == share_id,
                    _shares.c.to_id == person_id,
                    _shares.c.from_id == partner,
                    _shares.c.created_at >= pair.created_at,
                )
            ).first()
        if row is None:
            return None
        return SharedItem(row.id, row.from_id, row.kind, self._cipher.decrypt(row.body))

    def export(self, person_id: int) -> dict[str, object]:
        """For /export: whether linked, and what this person sent and received (decrypted)."""
        with self._read() as conn:
            rows = conn.execute(
                select(_shares)
                .where(or_(_shares.c.from_id == person_id, _shares.c.to_id == person_id))
                .order_by(_shares.c.created_at)
            ).all()
        return {
            "linked": self.partner_of(person_id) is not None,
            "shared": [
                {
                    "direction": "sent" if row.from_id == person_id else "received",
                    "kind": row.kind,
                    "text": self._cipher.decrypt(row.body),
                    "at": row.created_at.isoformat()
                    if hasattr(row.created_at, "isoformat")
                    else str(row.created_at),
                }
                for row in rows
            ],
        }
