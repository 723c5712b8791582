"""The seam every adapter uses: load where a person is, ask the coach, save, return replies.

Telegram and the terminal differ only in how they turn the outside world into events and
replies into output; everything between lives here once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from bot import effects
from bot.clock import Clock, system_clock
from bot.effects import ForPartner
from flows import coach
from flows.core.contract import Attachment, Conversation, Event, Outcome, Reply, Tick
from storage.agreements import AgreementStore
from storage.conversations import ConversationStore, Loaded
from storage.crypto import TextCipher
from storage.inbox import InboxStore
from storage.memory import PersonMemory
from storage.outbox import OutboxStore
from storage.partners import PartnerStore
from storage.progress import ProgressStore
from storage.rituals import RitualStore
from storage.store import Conflict, locked

ATTEMPTS = 5
LOCK_TRIES = 12  # each waits out SQLite's busy timeout (5 s): about a minute in all
log = logging.getLogger("mend.service")


class Locked(Exception):
    """The database is locked by someone else just now: wait a little and try again."""


__all__ = ["ForPartner", "Handled", "Mend", "Place", "next_due"]
next_due = effects.next_due


class Busy(RuntimeError):
    """An event that could not be saved after several tries (the update is redelivered)."""


@dataclass(frozen=True, slots=True)
class Handled:
    replies: tuple[Reply, ...]
    clear_chat: bool = False  # the discreet exit: the adapter clears what its channel allows
    last_message_id: int | None = None
    others: tuple[ForPartner, ...] = ()
    first_message_id: int | None = None  # the oldest of the last 48 hours (for clear_chat)
    letters: tuple[int, ...] = ()  # in the outbox: this chat's, then each of `others`
    # Where the person is now, a typed number is an answer (a time), not an option's number:
    # the terminal, which numbers its options, marks them with letters there instead.
    numbers_are_answers: bool = False
    erased: bool = False  # /delete went through: the adapter removes what it kept too


@dataclass(frozen=True, slots=True)
class Place:
    """Where a returning person left off: the prompt they were answering (or the menu)."""

    prompt: Reply
    in_step: bool
    numbers_are_answers: bool


def numbers_are_answers(conversation: Conversation) -> bool:
    flow = coach.FLOWS.get(conversation.flow)
    return flow is not None and flow.numbers_are_answers(conversation.state)


def warm_up() -> None:
    """Compile the language checks and load the model now, not on someone's first message."""
    from flows.language import classifier
    from flows.language.blame import analyse
    from flows.language.screen import screen

    screen("")
    analyse("")
    classifier.active()


def warm_places() -> None:
    """Read the gazetteer (a third of a second) beside start-up, not on someone's first
    "I live in Porto"; a lookup before it is ready simply builds it itself."""
    from flows.language import places

    threading.Thread(target=places.find, args=("Lisbon",), name="places", daemon=True).start()


def draw(reply: Reply) -> Reply:
    """Charts the coach described become PNG photos (drawing stays out of flows/)."""
    if not any(a.kind == "chart" for a in reply.attachments):
        return reply
    from bot import charts  # matplotlib loads on the first /progress, not at start-up

    drawn = tuple(
        Attachment(a.filename, charts.render(a.data), "photo") if a.kind == "chart" else a
        for a in reply.attachments
    )
    return replace(reply, attachments=drawn)


ORPHANED = timedelta(seconds=60)
"""How long an accepted update may wait before the sender takes it up as another's."""


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
        self.inbox = InboxStore(engine, cipher)
        self.outbox = OutboxStore(engine, cipher)
        self._kept: set[int] = set()  # update ids in the inbox (so others cost nothing)
        self.invite_link = "/start "  # the Telegram adapter sets https://t.me/<bot>?start=
        warm_up()

    def handle(
        self,
        channel: str,
        external_id: str,
        event: Event,
        update_id: int | None = None,
        message_id: int | None = None,
        patient: bool = True,
        outbox: bool = False,
    ) -> Handled:
        """One event, one transaction: everything it changes is written together, or none of it.

        If another event of the same person was saved meanwhile (a double tap, two replicas),
        the save is refused and this event runs again on what is there now, so no answer is
        lost and nothing is written twice. If another process holds SQLite's lock longer than
        its busy timeout, the event waits again (about a minute in all) rather than fail;
        an adapter on an event loop passes `patient=False` and does its waiting itself
        (`Locked` tells it to), so nobody else waits with it. With `outbox`, every message
        the event produced is kept in the same transaction until the adapter has sent it
        (`Handled.letters`, then `delivered`), and the update leaves the inbox with it.
        """
        for attempt in range(1, (LOCK_TRIES if patient else 1) + 1):
            try:
                return self._handle(channel, external_id, event, update_id, message_id, outbox)
            except Exception as error:
                if not locked(error):
                    raise
                if not patient:
                    raise Locked from error
                if attempt == LOCK_TRIES:
                    raise
                self.waited_for_lock(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def waited_for_lock(self, attempt: int) -> None:
        """The database stayed locked through one busy timeout; the event is tried again."""
        log.warning("the database is locked by someone else; waiting (%d)", attempt)

    def _handle(
        self,
        channel: str,
        external_id: str,
        event: Event,
        update_id: int | None,
        message_id: int | None,
        outbox: bool = False,
    ) -> Handled:
        for _ in range(ATTEMPTS):
            now = self.clock()
            loaded = self.store.load(channel, external_id, now, create=False)
            if loaded.seen(update_id):
                # Redelivered after it was applied: show where they are.
                return Handled((coach.current_prompt(loaded.profile, loaded.conversation),))
            outcome = coach.handle(
                loaded.profile,
                loaded.conversation,
                event,
                PersonMemory(self.engine, loaded.person_id, self.cipher),
                now=now,
            )
            try:
                chat = (channel, external_id) if outbox else None
                handled = self._commit(loaded, outcome, now, update_id, message_id, chat)
                if handled.letters and update_id is not None:
                    self._kept.discard(update_id)  # it left the inbox with the event
                if numbers_are_answers(outcome.conversation):
                    handled = replace(handled, numbers_are_answers=True)
                return handled
            except Conflict:
                continue
        raise Busy("the same person's events kept colliding")

    def _commit(
        self,
        loaded: Loaded,
        outcome: Outcome,
        now: datetime,
        update_id: int | None,
        message_id: int | None,
        chat: tuple[str, str] | None = None,
    ) -> Handled:
        newest = max(filter(None, (message_id, loaded.last_message_id)), default=None)
        changed = (
            update_id is not None
            or not loaded.stored
            or not loaded.active
            or outcome.records
            or outcome.profile != loaded.profile
            or outcome.conversation != loaded.conversation
        )
        if not changed:
            return Handled(tuple(draw(r) for r in outcome.replies), False, newest)

        def work(conn: Connection) -> tuple[effects.Applied | None, tuple[int, ...]]:
            person_id = self.store.write(
                conn,
                loaded,
                outcome.profile,
                outcome.conversation,
                now,
                update_id,
                message_id,
            )
            done = None
            if outcome.records or outcome.profile.timezone != loaded.profile.timezone:
                done = effects.Applied(
                    conn,
                    self._stores,
                    person_id,
                    outcome.profile,
                    now,
                    self.invite_link,
                    self.store.journal,
                    self.store.erase,
                )
                effects.moved(done, loaded.profile)
                for record in outcome.records:
                    effects.apply(done, record)
                    if done.erased:
                        break
            if chat is None:
                return done, ()
            own = outcome.replies
            if done is not None and not done.erased:
                own = (*outcome.replies, *done.replies)
            others = done.others if done is not None else []
            mail = [(*chat, own), *((o.channel, o.external_id, o.replies) for o in others)]
            letters = tuple(self.store.post(conn, mail, now))
            if update_id is not None:  # the update is safe in the outbox's hands now
                self.store.settle_in(conn, update_id)
            return done, letters

        done, letters = self.store.transaction(work)
        if done is None:
            own = tuple(draw(r) for r in outcome.replies)
            return Handled(own, False, newest, letters=letters)
        replies = tuple(draw(r) for r in (*outcome.replies, *done.replies))
        if done.erased:
            return Handled(
                tuple(outcome.replies), others=tuple(done.others), letters=letters, erased=True
            )
        oldest = loaded.window(message_id, now)[0]
        return Handled(replies, done.clear_chat, newest, tuple(done.others), oldest, letters)

    def _stores(self, conn: Connection) -> effects.Stores:
        return effects.Stores(
            self.rituals.within(conn),
            self.progress.within(conn),
            self.partners.within(conn),
            self.agreements.within(conn),
        )

    def keep(self, updates: Sequence[tuple[int, str]]) -> None:
        """Fetched updates, kept until handled (see `storage.inbox`)."""
        self.inbox.keep(updates, self.clock())
        self._kept.update(uid for uid, _ in updates)

    def orphaned(self, now: datetime) -> list[tuple[int, str]]:
        """Updates another replica accepted and never finished (it died after answering
        Telegram): older than `ORPHANED`, so a live replica still at work is left alone."""
        found = self.inbox.stale(now - ORPHANED)
        self._kept.update(uid for uid, _ in found)
        return found

    def waiting(self) -> list[tuple[int, str]]:
        """What was fetched before a restart and never finished."""
        found = self.inbox.pending()
        self._kept.update(uid for uid, _ in found)
        return found

    def delivered(self, letters: Sequence[int]) -> None:
        """Sent (or never sendable): the letters leave the outbox."""
        self.store.delivered(letters)

    def settle(self, update_id: int) -> None:
        """The update is handled and its replies are out: it leaves the inbox."""
        if update_id in self._kept:
            self.store.settle(update_id)
            self._kept.discard(update_id)

    def offer_answer(self, channel: str, external_id: str, prompt: str) -> None:
        """After a reminder: if the person is between steps, their next words answer it.

        A nicety: with the database locked by someone else it is skipped rather than waited
        for (the reminder's own "Answer" button still works)."""
        try:
            self.handle(channel, external_id, Tick("prompt", prompt), patient=False)
        except Locked:
            log.info("the database is busy: the reminder's question is not waiting this time")

    def where(self, channel: str, external_id: str) -> Reply:
        """The person's current prompt, as saved (after an error, to pick up cleanly)."""
        loaded = self.store.load(channel, external_id, self.clock())
        return coach.current_prompt(loaded.profile, loaded.conversation)

    def returning(self, channel: str, external_id: str) -> Place | None:
        """Where someone who has been here before left off, to greet them with it; None for
        someone new. Only read: showing it writes nothing."""
        loaded = self.store.load(channel, external_id, self.clock(), create=False)
        if not loaded.stored:
            return None
        here = loaded.conversation
        flow = coach.FLOWS.get(here.flow)
        return Place(
            coach.current_prompt(loaded.profile, here),
            in_step=flow is not None and flow.has_state(here.state),
            numbers_are_answers=numbers_are_answers(here),
        )

    def close(self) -> None:
        self.store.close()
