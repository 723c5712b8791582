"""What an event's records do to storage, inside the event's one transaction.

One small handler per record type, looked up in `HANDLERS`. The rules (who may share, what
an answer comes to, which words each side gets) are `flows.policy`'s and the copy is in the
content files; a handler only reads and writes through the stores bound to the transaction
and collects what to send once it has committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from flows.core import calendar, content, policy
from flows.core.contract import (
    CheckinRecord,
    ClearChatRecord,
    DeliveryRecord,
    EraseRecord,
    JournalRecord,
    PartnerRecord,
    Profile,
    Record,
    Reply,
    RitualChangeRecord,
    RitualRecord,
)
from flows.steps.rituals import days_text, label_of
from flows.views import partner as partner_view
from storage.agreements import AgreementStore
from storage.partners import Partner, PartnerStore
from storage.progress import ProgressStore
from storage.rituals import RitualStore

EVENING = "19:00"


@dataclass(frozen=True, slots=True)
class ForPartner:
    """Messages for the other partner's own chat (sent by the adapter of their channel)."""

    channel: str
    external_id: str
    replies: tuple[Reply, ...]


@dataclass(frozen=True, slots=True)
class Stores:
    """Every store an event may write, bound to its transaction."""

    rituals: RitualStore
    progress: ProgressStore
    partners: PartnerStore
    agreements: AgreementStore


@dataclass(slots=True)
class Applied:
    """One event's records applied: where, for whom, and what to send after the commit."""

    conn: Connection
    bind: Callable[[Connection], Stores]
    person_id: int
    profile: Profile  # after the event
    now: datetime
    invite_link: str
    journal: Callable[[Connection, int, JournalRecord, datetime], None]
    erase: Callable[[int, Connection], None]
    replies: list[Reply] = field(default_factory=list)
    others: list[ForPartner] = field(default_factory=list)
    clear_chat: bool = False
    erased: bool = False
    _stores: Stores | None = None

    @property
    def stores(self) -> Stores:
        """Bound to the transaction when a record first needs them (most events need none)."""
        if self._stores is None:
            self._stores = self.bind(self.conn)
        return self._stores

    def tell(self, *path: str, **values: str) -> Reply:
        reply = Reply(content.text(*path, **values))
        self.replies.append(reply)
        return reply

    def tell_partner(self, partner: Partner | None, *replies: Reply) -> None:
        if partner is not None:
            self.others.append(ForPartner(partner.channel, partner.external_id, replies))


def next_due(profile: Profile, local_time: str, days: str, after: datetime) -> datetime:
    hours, minutes = local_time.split(":")
    return calendar.next_due(
        time(int(hours), int(minutes)),
        frozenset(int(d) for d in days),
        profile.timezone or "UTC",
        after,
    )


def this_evening(profile: Profile, now: datetime) -> datetime:
    """19:00 their time today, or in an hour when the evening has already begun.

    (Quiet hours are checked again when it is due; a night-time resend is skipped.)
    """
    zone = calendar.zone_for(profile.timezone or "UTC")
    if now.astimezone(zone).time() >= time(19, 0):
        return now + timedelta(hours=1)
    return next_due(profile, EVENING, "0123456", now)


def moved(done: Applied, before: Profile) -> None:
    """A new time zone: every ritual's next time is worked out again."""
    if done.profile.timezone == before.timezone:
        return
    rituals = done.stores.rituals
    rituals.reschedule(
        done.person_id,
        [
            (r.id, next_due(done.profile, r.local_time, r.days, done.now))
            for r in rituals.of_person(done.person_id)
        ],
    )


# --- one handler per record type ------------------------------------------------------------


def _journal(done: Applied, record: JournalRecord) -> None:
    done.journal(done.conn, done.person_id, record, done.now)


def _erase(done: Applied, record: EraseRecord) -> None:
    partner = done.stores.partners.partner_of(done.person_id)
    if partner is not None:  # their words leave what the partner keeps
        done.stores.rituals.part(done.person_id, partner.person_id)
    done.erase(done.person_id, done.conn)  # shares and link go too
    done.tell_partner(partner, Reply(content.text("partner", "unlinked_other")))
    done.erased = True


def _clear_chat(done: Applied, record: ClearChatRecord) -> None:
    done.clear_chat = True


def _ritual(done: Applied, record: RitualRecord) -> None:
    rituals = done.stores.rituals
    if record.remove_id is not None:
        rituals.remove(done.person_id, record.remove_id)
        return
    partner = done.stores.partners.partner_of(done.person_id) if record.ours else None
    both = record.ours and policy.ours(partner.other if partner else None)
    group = secrets.token_hex(8) if both else None
    due = next_due(done.profile, record.local_time, record.days, done.now)
    what = (record.kind, record.label, record.local_time, record.days)
    author = done.person_id if group else None
    rituals.add(done.person_id, *what, due, done.now, group, author)
    if partner is None or group is None:
        return  # safety outranks sharing: only their own ritual, quietly
    theirs = next_due(Profile(timezone=partner.timezone), record.local_time, record.days, done.now)
    rituals.add(partner.person_id, *what, theirs, done.now, group, author)
    note = content.text(
        "rituals.ours_other",
        label=label_of(record.kind, record.label),
        time=record.local_time,
        days=days_text(record.days),
    )
    done.tell_partner(partner, Reply(note))


def _ritual_change(done: Applied, record: RitualChangeRecord) -> None:
    """A new time or days for one's own copy only: a ritual for both stays as it is for the
    partner, who is told nothing (each keeps theirs at a time of their own)."""
    rituals = done.stores.rituals
    schedule = rituals.schedule(done.person_id, record.ritual_id)
    if schedule is None:
        done.tell("rituals.gone")
        return
    at, days = record.local_time or schedule[0], record.days or schedule[1]
    due = next_due(done.profile, at, days, done.now)
    rituals.change(done.person_id, record.ritual_id, at, days, due)


def _checkin(done: Applied, record: CheckinRecord) -> None:
    done.stores.progress.save_checkin(
        done.person_id,
        record.local_date or done.now.date().isoformat(),
        record.score,
        record.words,
        done.now,
        record.shared,
    )


def _delivery(done: Applied, record: DeliveryRecord) -> None:
    until = None
    if record.later == "hour":
        until = done.now + timedelta(hours=1)
    elif record.later == "evening":
        until = this_evening(done.profile, done.now)
    done.stores.rituals.set_status(done.person_id, record.delivery_id, record.status, until)


# --- partner mode ------------------------------------------------------------------------------


def _invite(done: Applied, record: PartnerRecord) -> None:
    code = done.stores.partners.create_invite(done.person_id, done.now)
    done.tell("partner", "invite", link=done.invite_link + code)


def _join(done: Applied, record: PartnerRecord) -> None:
    partners = done.stores.partners
    outcome, inviter = partners.redeem(record.code, done.person_id, done.now)
    done.tell("partner", policy.JOIN_COPY[outcome])
    if inviter is not None:
        done.tell_partner(
            partners.partner_of(done.person_id), Reply(content.text("partner", "linked_inviter"))
        )


def _unlink(done: Applied, record: PartnerRecord) -> None:
    done.tell("partner", "unlinked")
    gone = done.stores.partners.unlink(done.person_id)
    if gone is not None:  # shared rituals become each one's own
        done.stores.rituals.part(done.person_id, gone.person_id)
    done.tell_partner(gone, Reply(content.text("partner", "unlinked_other")))


def _share(done: Applied, record: PartnerRecord) -> None:
    partners = done.stores.partners
    partner = partners.partner_of(done.person_id)
    if partner is None:
        done.tell("partner", "not_linked")
        return
    if not policy.may_reach(done.profile, partner.other):
        done.tell("partner", "paused")  # the other partner is told nothing, and not why
        return
    if record.share_id is not None:
        answered = partners.received(done.person_id, record.share_id)
        if answered is None:  # a reply to something not from this partner, now
            done.tell("partner", "gone")
            return
        if not partners.answer_once(done.person_id, answered.id, done.now):
            done.tell("partner", "answered")
            return
    share_id = partners.share(
        done.person_id, partner.person_id, record.kind, record.text, done.now, record.share_id
    )
    done.tell_partner(partner, partner_view.received(record.kind, record.text, share_id))
    done.tell("partner", "sent")


def _answer(done: Applied, record: PartnerRecord) -> None:
    if record.share_id is None:
        return
    partners = done.stores.partners
    item = partners.received(done.person_id, record.share_id)
    sender = partners.partner_of(done.person_id)
    mine = item is not None and sender is not None and sender.person_id == item.from_id
    blocked = policy.may_answer(done.profile, mine, sender.other if sender else None)
    if blocked is not None:
        done.tell("partner", blocked.value)
        return
    assert item is not None and sender is not None  # may_answer made sure
    if not partners.answer_once(done.person_id, item.id, done.now):
        done.tell("partner", policy.Answer.ANSWERED.value)
        return
    terms = partner_view.proposal(item.body)
    verdict = policy.answered(item.kind, record.kind, terms["ends"], done.now.date().isoformat())
    if verdict is policy.Answer.EXPIRED:
        done.tell("partner", policy.Answer.GONE.value)
    elif verdict is policy.Answer.ACTIVATE:
        done.stores.agreements.activate(
            item.from_id, done.person_id, terms["text"], terms["ends"], terms["review"], done.now
        )
        both = done.tell("partner.agreement", "active", ends=terms["ends"], review=terms["review"])
        done.tell_partner(sender, both)
    else:
        done.tell_partner(sender, Reply(content.text(*policy.note_copy(record.kind))))
        done.tell("partner.answers", "thanks")


def _pause(done: Applied, record: PartnerRecord) -> None:
    status = done.stores.agreements.toggle_pause(done.person_id)
    key = {"paused": "paused", "active": "resumed"}.get(status or "", "none")
    note = done.tell("partner.agreement", key)
    partner = done.stores.partners.partner_of(done.person_id)
    if status is not None and policy.both_safe(done.profile, partner.other if partner else None):
        done.tell_partner(partner, note)


PARTNER: dict[str, Callable[[Applied, PartnerRecord], None]] = {
    "invite": _invite,
    "join": _join,
    "unlink": _unlink,
    "share": _share,
    "answer": _answer,
    "pause": _pause,
}


def _partner(done: Applied, record: PartnerRecord) -> None:
    PARTNER[record.action](done, record)


Handler = Callable[[Applied, Any], None]
HANDLERS: dict[type, Handler] = {
    JournalRecord: _journal,
    EraseRecord: _erase,
    ClearChatRecord: _clear_chat,
    RitualRecord: _ritual,
    RitualChangeRecord: _ritual_change,
    CheckinRecord: _checkin,
    DeliveryRecord: _delivery,
    PartnerRecord: _partner,
}
"""Every record type and the one handler that applies it (a test checks none is missing)."""


def apply(done: Applied, record: Record) -> None:
    HANDLERS[type(record)](done, record)
