"""The seam every adapter uses: load where a person is, ask the coach, save, return replies.

Telegram and the terminal differ only in how they turn the outside world into events and
replies into output; everything between lives here once.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from sqlalchemy import Engine

from bot.clock import Clock, system_clock
from flows import answer, coach, content
from flows import clock as tzclock
from flows.contract import (
    Attachment,
    CheckinRecord,
    ClearChatRecord,
    Conversation,
    DeliveryRecord,
    EraseRecord,
    Event,
    Option,
    PartnerRecord,
    Profile,
    Record,
    Reply,
    RitualRecord,
)
from flows.rituals import days_text, label_of
from storage.agreements import AgreementStore
from storage.conversations import ConversationStore
from storage.crypto import TextCipher
from storage.memory import PersonMemory
from storage.partners import Joined, Partner, PartnerStore
from storage.progress import ProgressStore
from storage.rituals import RitualStore

EVENING = "19:00"
_JOIN_COPY = {
    Joined.LINKED: "linked",
    Joined.OWN: "own_invite",
    Joined.ALREADY: "already",
    # Unknown, used, expired, or an inviter who left: all read the same, so an invite can
    # never tell anyone whether a person is still here.
    Joined.UNKNOWN: "cannot_join",
    Joined.USED: "cannot_join",
    Joined.EXPIRED: "cannot_join",
    Joined.GONE: "cannot_join",
}


@dataclass(frozen=True, slots=True)
class ForPartner:
    """Messages for the other partner's own chat (sent by the adapter of their channel)."""

    channel: str
    external_id: str
    replies: tuple[Reply, ...]


@dataclass(frozen=True, slots=True)
class Handled:
    replies: tuple[Reply, ...]
    clear_chat: bool = False  # the discreet exit: the adapter clears what its channel allows
    last_message_id: int | None = None
    others: tuple[ForPartner, ...] = ()


def warm_up() -> None:
    """Compile the language checks and load the model now, not on someone's first message."""
    from flows import classifier
    from flows.analyse import analyse
    from flows.screen import screen

    screen("")
    analyse("")
    classifier.active()


def _safe(profile: Profile) -> bool:
    """Sharing only while neither a crisis pause nor the individual track applies."""
    return profile.paused is None and profile.track == "couples"


def _proposal(body: str) -> dict[str, str]:
    """A proposed agreement travels as JSON: its text, end date and review date."""
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {key: str(data.get(key, "")) for key in ("text", "ends", "review")}


def _readable(record: PartnerRecord) -> str:
    return _proposal(record.text)["text"] if record.kind == "agreement" else record.text


def _draw(reply: Reply) -> Reply:
    """Charts the coach described become PNG photos (drawing stays out of flows/)."""
    if not any(a.kind == "chart" for a in reply.attachments):
        return reply
    from bot import charts  # matplotlib loads on the first /progress, not at start-up

    drawn = tuple(
        Attachment(a.filename, charts.render(a.data), "photo") if a.kind == "chart" else a
        for a in reply.attachments
    )
    return replace(reply, attachments=drawn)


def next_due(profile: Profile, local_time: str, days: str, after: datetime) -> datetime:
    hours, minutes = local_time.split(":")
    return tzclock.next_due(
        time(int(hours), int(minutes)),
        frozenset(int(d) for d in days),
        profile.timezone or "UTC",
        after,
    )


class Mend:
    def __init__(self, engine: Engine, cipher: TextCipher, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock
        self.store = ConversationStore(engine, cipher)
        self.rituals = RitualStore(engine, cipher)
        self.progress = ProgressStore(engine, cipher)
        self.partners = PartnerStore(engine, cipher)
        self.agreements = AgreementStore(engine, cipher)
        self.invite_link = "/start "  # the Telegram adapter sets https://t.me/<bot>?start=
        warm_up()

    def handle(
        self,
        channel: str,
        external_id: str,
        event: Event,
        update_id: int | None = None,
        message_id: int | None = None,
    ) -> Handled:
        now = self.clock()
        loaded = self.store.load(channel, external_id, now)
        if loaded.seen(update_id):
            # Redelivered after a crash: it was applied already; show where they are.
            return Handled((coach.current_prompt(loaded.profile, loaded.conversation),))
        outcome = coach.handle(
            loaded.profile,
            loaded.conversation,
            event,
            PersonMemory(self.engine, loaded.person_id, self.cipher),
            now=now,
        )
        if any(isinstance(r, EraseRecord) for r in outcome.records):
            partner = self.partners.partner_of(loaded.person_id)
            self.store.erase(loaded.person_id)  # their shares and the link go with them
            return Handled(outcome.replies, others=self._gently(partner))
        if (
            update_id is not None
            or not loaded.active
            or outcome.records
            or outcome.profile != loaded.profile
            or outcome.conversation != loaded.conversation
        ):
            self.store.save(
                loaded,
                outcome.profile,
                outcome.conversation,
                outcome.records,
                now,
                update_id,
                message_id,
            )
        told = self._apply(loaded.person_id, loaded.profile, outcome.profile, outcome.records, now)
        extra, shared = self._partner(loaded.person_id, outcome.profile, outcome.records, now)
        others = (*told, *shared)
        clear = any(isinstance(r, ClearChatRecord) for r in outcome.records)
        newest = max(filter(None, (message_id, loaded.last_message_id)), default=None)
        replies = tuple(_draw(r) for r in (*outcome.replies, *extra))
        return Handled(replies, clear, newest, others)

    # --- partner mode ---------------------------------------------------------------------

    def _gently(self, partner: Partner | None) -> tuple[ForPartner, ...]:
        if partner is None:
            return ()
        note = Reply(content.text("partner", "unlinked_other"))
        return (ForPartner(partner.channel, partner.external_id, (note,)),)

    def _partner(
        self, person_id: int, profile: Profile, records: tuple[Record, ...], now: datetime
    ) -> tuple[list[Reply], tuple[ForPartner, ...]]:
        """Invites, links and sharing: what this person is told, and what their partner gets."""
        replies: list[Reply] = []
        others: list[ForPartner] = []
        for record in records:
            if not isinstance(record, PartnerRecord):
                continue
            if record.action == "invite":
                code = self.partners.create_invite(person_id, now)
                link = self.invite_link + code
                replies.append(Reply(content.text("partner", "invite", link=link)))
            elif record.action == "join":
                outcome, inviter = self.partners.redeem(record.code, person_id, now)
                replies.append(Reply(content.text("partner", _JOIN_COPY[outcome])))
                partner = self.partners.partner_of(person_id) if inviter else None
                if partner is not None:
                    note = Reply(content.text("partner", "linked_inviter"))
                    others.append(ForPartner(partner.channel, partner.external_id, (note,)))
            elif record.action == "unlink":
                replies.append(Reply(content.text("partner", "unlinked")))
                others.extend(self._gently(self.partners.unlink(person_id)))
            elif record.action == "share":
                replies.append(self._share(person_id, profile, record, now, others))
            elif record.action == "answer" and record.share_id is not None:
                item = self.partners.received(person_id, record.share_id)
                sender = self.partners.partner_of(person_id)
                if item is None or sender is None or sender.person_id != item.from_id:
                    replies.append(Reply(content.text("partner", "gone")))
                    continue
                if not (_safe(profile) and sender.safe_for_two and sender.reachable):
                    replies.append(Reply(content.text("partner", "paused")))  # quietly
                    continue
                if not self.partners.answer_once(person_id, item.id, now):
                    replies.append(Reply(content.text("partner", "answered")))
                    continue
                if record.kind == "accept" and item.kind == "agreement":
                    if _proposal(item.body)["ends"] <= now.date().isoformat():
                        replies.append(Reply(content.text("partner", "gone")))
                        continue
                    both = self._activate(item.from_id, person_id, item.body, now)
                    replies.append(both)
                    others.append(ForPartner(sender.channel, sender.external_id, (both,)))
                    continue
                path = (
                    ("partner.agreement", "declined")
                    if record.kind == "decline"
                    else ("partner.answers", record.kind)
                )
                note = Reply(content.text(*path))
                others.append(ForPartner(sender.channel, sender.external_id, (note,)))
                replies.append(Reply(content.text("partner.answers", "thanks")))
            elif record.action == "pause":
                status = self.agreements.toggle_pause(person_id)
                key = {"paused": "paused", "active": "resumed"}.get(status or "", "none")
                note = Reply(content.text("partner.agreement", key))
                replies.append(note)
                partner = self.partners.partner_of(person_id)
                both_safe = partner is not None and partner.safe_for_two and _safe(profile)
                if status is not None and partner is not None and both_safe:
                    others.append(ForPartner(partner.channel, partner.external_id, (note,)))
        return replies, tuple(others)

    def _activate(self, proposer: int, accepter: int, body: str, now: datetime) -> Reply:
        """Both agreed: the agreement becomes active, with its end and review dates."""
        proposal = _proposal(body)
        self.agreements.activate(
            proposer, accepter, proposal["text"], proposal["ends"], proposal["review"], now
        )
        return Reply(
            content.text(
                "partner.agreement", "active", ends=proposal["ends"], review=proposal["review"]
            )
        )

    def _share(
        self,
        person_id: int,
        profile: Profile,
        record: PartnerRecord,
        now: datetime,
        others: list[ForPartner],
    ) -> Reply:
        partner = self.partners.partner_of(person_id)
        if partner is None:
            return Reply(content.text("partner", "not_linked"))
        safe = _safe(profile) and partner.safe_for_two
        if not safe or not partner.reachable:
            # Safety outranks sharing; the other partner is told nothing, and not why.
            return Reply(content.text("partner", "paused"))
        if record.share_id is not None:
            answered = self.partners.received(person_id, record.share_id)
            if answered is None:  # a reply to something not from this partner, now
                return Reply(content.text("partner", "gone"))
            if not self.partners.answer_once(person_id, answered.id, now):
                return Reply(content.text("partner", "answered"))
        share_id = self.partners.share(
            person_id, partner.person_id, record.kind, record.text, now, record.share_id
        )
        text = content.text("partner.received", record.kind, text=_readable(record))
        buttons = {
            "statement": content.options("partner.received"),
            "agreement": dict(content.section("partner.received")["agreement_options"]),
        }.get(record.kind, {})
        options = tuple(Option(f"p.{share_id}.{v}", label) for v, label in buttons.items())
        shown = Reply(text, options)
        others.append(ForPartner(partner.channel, partner.external_id, (shown,)))
        return Reply(content.text("partner", "sent"))

    def _apply(
        self,
        person_id: int,
        before: Profile,
        after: Profile,
        records: tuple[Record, ...],
        now: datetime,
    ) -> list[ForPartner]:
        """The cold-path side effects of an event: rituals, reminder answers, a move in time."""
        told: list[ForPartner] = []
        if after.timezone != before.timezone:
            self.rituals.reschedule(
                person_id,
                [
                    (r.id, next_due(after, r.local_time, r.days, now))
                    for r in self.rituals.of_person(person_id)
                ],
            )
        for record in records:
            if isinstance(record, RitualRecord):
                if record.remove_id is not None:
                    self.rituals.remove(person_id, record.remove_id)
                elif record.ours:
                    told.extend(self._ours(person_id, after, record, now))
                else:
                    due = next_due(after, record.local_time, record.days, now)
                    self.rituals.add(
                        person_id,
                        record.kind,
                        record.label,
                        record.local_time,
                        record.days,
                        due,
                        now,
                    )
            elif isinstance(record, CheckinRecord):
                self.progress.save_checkin(
                    person_id,
                    record.local_date or now.date().isoformat(),
                    record.score,
                    record.words,
                    now,
                    record.shared,
                )
            elif isinstance(record, DeliveryRecord):
                until = None
                if record.later == "hour":
                    until = now + timedelta(hours=1)
                elif record.later == "evening":
                    until = self._this_evening(after, now)
                self.rituals.set_status(person_id, record.delivery_id, record.status, until)
        return told

    def _ours(
        self, person_id: int, profile: Profile, record: RitualRecord, now: datetime
    ) -> list[ForPartner]:
        """A ritual for both: one each, at the same time of day in each one's own zone."""
        partner = self.partners.partner_of(person_id)
        group = secrets.token_hex(8) if partner is not None and partner.safe_for_two else None
        due = next_due(profile, record.local_time, record.days, now)
        self.rituals.add(
            person_id, record.kind, record.label, record.local_time, record.days, due, now, group
        )
        if partner is None or group is None:
            return []  # safety outranks sharing: only their own ritual, quietly
        theirs = Profile(timezone=partner.timezone)
        self.rituals.add(
            partner.person_id,
            record.kind,
            record.label,
            record.local_time,
            record.days,
            next_due(theirs, record.local_time, record.days, now),
            now,
            group,
        )
        note = content.text(
            "rituals.ours_other",
            label=label_of(record.kind, record.label),
            time=record.local_time,
            days=days_text(record.days),
        )
        return [ForPartner(partner.channel, partner.external_id, (Reply(note),))]

    @staticmethod
    def _this_evening(profile: Profile, now: datetime) -> datetime:
        """19:00 their time today, or in an hour when the evening has already begun.

        (Quiet hours are checked again when it is due; a night-time resend is skipped.)
        """
        zone = tzclock.zone_for(profile.timezone or "UTC")
        if now.astimezone(zone).time() >= time(19, 0):
            return now + timedelta(hours=1)
        return next_due(profile, EVENING, "0123456", now)

    def offer_answer(self, channel: str, external_id: str, prompt: str) -> None:
        """After a reminder: if the person is between steps, their next words answer it."""
        now = self.clock()
        loaded = self.store.load(channel, external_id, now)
        if not loaded.conversation.idle or not loaded.profile.consented:
            return  # mid-step: the reminder's "Answer the question" button is there instead
        flow = coach.FLOWS["answer"]
        waiting = Conversation(flow.name, flow.first, {answer.PROMPT: prompt}, flow.version)
        self.store.save(loaded, loaded.profile, waiting, (), now)

    def where(self, channel: str, external_id: str) -> Reply:
        """The person's current prompt, as saved (after an error, to pick up cleanly)."""
        loaded = self.store.load(channel, external_id, self.clock())
        return coach.current_prompt(loaded.profile, loaded.conversation)

    def close(self) -> None:
        self.store.close()
