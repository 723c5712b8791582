"""The seam every adapter uses: load where a person is, ask the coach, save, return replies.

Telegram and the terminal differ only in how they turn the outside world into events and
replies into output; everything between lives here once.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.clock import Clock, system_clock
from flows import coach
from flows.contract import Event, Reply
from storage.conversations import ConversationStore
from storage.journal import JournalReader


class Mend:
    def __init__(self, engine: Engine, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.clock = clock
        self.store = ConversationStore(engine)

    def handle(
        self, channel: str, external_id: str, event: Event, update_id: int | None = None
    ) -> tuple[Reply, ...]:
        now = self.clock()
        loaded = self.store.load(channel, external_id, now)
        if loaded.seen(update_id):
            # Redelivered after a crash: it was applied already; show where they are.
            return (coach.current_prompt(loaded.profile, loaded.conversation),)
        outcome = coach.handle(
            loaded.profile,
            loaded.conversation,
            event,
            JournalReader(self.engine, loaded.person_id),
        )
        if (
            update_id is not None
            or outcome.records
            or outcome.profile != loaded.profile
            or outcome.conversation != loaded.conversation
        ):
            self.store.save(
                loaded, outcome.profile, outcome.conversation, outcome.records, now, update_id
            )
        return outcome.replies

    def close(self) -> None:
        self.store.close()
