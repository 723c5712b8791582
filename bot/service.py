"""The seam every adapter uses: load where a person is, ask the coach, save, return replies.

Telegram and the terminal differ only in how they turn the outside world into events and
replies into output; everything between lives here once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from sqlalchemy import Engine

from bot.clock import Clock, system_clock
from flows import answer, coach
from flows import clock as tzclock
from flows.contract import (
    Attachment,
    CheckinRecord,
    ClearChatRecord,
    Conversation,
    DeliveryRecord,
    EraseRecord,
    Event,
    Profile,
    Record,
    Reply,
    RitualRecord,
)
from storage.conversations import ConversationStore
from storage.crypto import TextCipher
from storage.memory import PersonMemory
from storage.progress import ProgressStore
from storage.rituals import RitualStore

EVENING = "19:00"


@dataclass(frozen=True, slots=True)
class Handled:
    replies: tuple[Reply, ...]
    clear_chat: bool = False  # the discreet exit: the adapter clears what its channel allows
    last_message_id: int | None = None


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
            self.store.erase(loaded.person_id)
            return Handled(outcome.replies)
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
        self._apply(loaded.person_id, loaded.profile, outcome.profile, outcome.records, now)
        clear = any(isinstance(r, ClearChatRecord) for r in outcome.records)
        newest = max(filter(None, (message_id, loaded.last_message_id)), default=None)
        return Handled(tuple(_draw(r) for r in outcome.replies), clear, newest)

    def _apply(
        self,
        person_id: int,
        before: Profile,
        after: Profile,
        records: tuple[Record, ...],
        now: datetime,
    ) -> None:
        """The cold-path side effects of an event: rituals, reminder answers, a move in time."""
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
                )
            elif isinstance(record, DeliveryRecord):
                until = None
                if record.later == "hour":
                    until = now + timedelta(hours=1)
                elif record.later == "evening":
                    until = self._this_evening(after, now)
                self.rituals.set_status(person_id, record.delivery_id, record.status, until)

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
