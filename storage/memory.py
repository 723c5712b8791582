"""What the coach may read back about one person (cold paths, so the ORM is fine here).

Every method is scoped to a single person id fixed at construction: the coach can never
ask for someone else's words.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.core.contract import (
    DeliveryItem,
    JournalItem,
    Progress,
    RitualItem,
    SharedItem,
    Together,
)
from storage.conversations import _json_object, decode_parts
from storage.crypto import TextCipher
from storage.models import ConversationRow, Delivery, JournalEntry, Person
from storage.partners import PartnerStore
from storage.progress import ProgressStore
from storage.rituals import RitualStore

PRIVATE_KINDS = ("safety_plan",)
"""Kinds kept out of the journal listing: shown only on their own request."""


class PersonMemory:
    def __init__(self, engine: Engine, person_id: int, cipher: TextCipher) -> None:
        self._engine = engine
        self._person_id = person_id
        self._cipher = cipher

    def _entries(
        self, session: Session, *, kinds: tuple[str, ...] | None, limit: int | None
    ) -> list[JournalEntry]:
        query = select(JournalEntry).where(JournalEntry.person_id == self._person_id)
        if kinds is None:
            query = query.where(col(JournalEntry.kind).not_in(PRIVATE_KINDS))
        else:
            query = query.where(col(JournalEntry.kind).in_(kinds))
        query = query.order_by(col(JournalEntry.created_at).desc(), col(JournalEntry.id).desc())
        if limit is not None:
            query = query.limit(limit)
        return list(session.exec(query).all())

    def _item(self, row: JournalEntry) -> JournalItem:
        return JournalItem(
            row.kind,
            decode_parts(self._cipher.decrypt(row.body)),
            row.created_at.strftime("%d %b %Y"),
        )

    def journal(self, limit: int) -> list[JournalItem]:
        with Session(self._engine) as session:
            return [self._item(row) for row in self._entries(session, kinds=None, limit=limit)]

    def safety_plan(self) -> JournalItem | None:
        with Session(self._engine) as session:
            rows = self._entries(session, kinds=("safety_plan",), limit=1)
            return self._item(rows[0]) if rows else None

    def rituals(self) -> list[RitualItem]:
        return RitualStore(self._engine, self._cipher).of_person(self._person_id)

    def delivery(self, delivery_id: int) -> DeliveryItem | None:
        with Session(self._engine) as session:
            found = session.get(Delivery, delivery_id)
        if found is None or found.person_id != self._person_id:
            return None  # someone else's reminder, or a forged button: as if it never was
        return DeliveryItem(delivery_id, found.prompt_id, found.status)

    def checkin_on(self, local_date: str) -> int | None:
        return ProgressStore(self._engine, self._cipher).checkin_on(self._person_id, local_date)

    def progress(self) -> Progress:
        return ProgressStore(self._engine, self._cipher).progress(self._person_id)

    def together(self, local_date: str) -> Together | None:
        """Both scores of the latest day both shared, since this link began (whether they
        may be shown is the coach's decision, `flows.core.policy.show_together`)."""
        partners = PartnerStore(self._engine, self._cipher)
        partner = partners.partner_of(self._person_id)
        if partner is None:
            return None
        since = partners.linked_since(self._person_id)
        store = ProgressStore(self._engine, self._cipher)
        found = store.together(self._person_id, partner.person_id, local_date)
        if found is None or (since is not None and found[0] < since.date().isoformat()):
            return None
        return Together(*found, partner_safe=partner.safe_for_two)

    def partner_ready(self) -> bool | None:
        partner = PartnerStore(self._engine, self._cipher).partner_of(self._person_id)
        return None if partner is None else partner.ready_for_two

    def shared(self, share_id: int) -> SharedItem | None:
        item = PartnerStore(self._engine, self._cipher).received(self._person_id, share_id)
        return SharedItem(item.id, item.kind, item.body) if item is not None else None

    def export(self) -> dict[str, Any]:
        """Everything stored about the person, decrypted, for /export."""
        with Session(self._engine) as session:
            person = session.get(Person, self._person_id)
            conversation = session.get(ConversationRow, self._person_id)
            entries = list(
                session.exec(
                    select(JournalEntry)
                    .where(JournalEntry.person_id == self._person_id)
                    .order_by(col(JournalEntry.created_at), col(JournalEntry.id))
                ).all()
            )
        data: dict[str, Any] = {"person": None, "conversation": None, "journal": []}
        data["rituals"] = [
            {"kind": r.kind, "label": r.label, "local_time": r.local_time, "days": r.days}
            for r in RitualStore(self._engine, self._cipher).of_person(self._person_id)
        ]
        if person is not None:
            data["person"] = {
                "channel": person.channel,
                "consented": person.consented,
                "role": person.role,
                "country": person.country,
                "track": person.track,
                "paused": person.paused,
                "discreet": person.discreet,
                "reminders_paused": person.reminders_paused,
                "safety_checked_on": person.safety_checked_on,
                "safe_said_on": person.safe_said_on,
                "crisis_on": person.crisis_on,
                "timezone": person.timezone,
                "quiet_hours": [person.quiet_from, person.quiet_to],
                "created_at": person.created_at.isoformat(),
            }
        if conversation is not None:
            data["conversation"] = {
                "flow": conversation.flow,
                "state": conversation.state,
                "in_progress": _json_object(self._cipher.decrypt(conversation.slots)),
                "updated_at": conversation.updated_at.isoformat(),
            }
        data["checkins"] = ProgressStore(self._engine, self._cipher).export(self._person_id)
        data["partner"] = PartnerStore(self._engine, self._cipher).export(self._person_id)
        with Session(self._engine) as session:
            sent = session.exec(
                select(Delivery)
                .where(Delivery.person_id == self._person_id)
                .order_by(col(Delivery.local_date))
            ).all()
        data["reminders"] = [
            {"date": d.local_date, "status": d.status, "prompt": d.prompt_id} for d in sent
        ]
        data["journal"] = [
            {
                "kind": row.kind,
                "parts": dict(decode_parts(self._cipher.decrypt(row.body))),
                "created_at": row.created_at.isoformat(),
            }
            for row in entries
        ]
        return data
