"""The one sender: every message Mend sends leaves through the replica holding the send lock.

Telegram counts what a bot sends, not what each process sends, so the budget can only be
kept where everything is sent. An event's letters are written in its own transaction
(`storage.outbox`); then:

- on the sender (on SQLite: the one process), the adapter sends them at once through the
  `Sender` (budget, per-chat turns, answers before reminders) and lets them go; what
  Telegram refuses for now stays in the outbox with what is left of it and a time to try
  again (the one Telegram asked for), so it is delayed, never lost, and never doubled;
- on any other replica, they are handed over: due at once, and the sender, woken by a
  NOTIFY, sends them within milliseconds.

The sender also drains what waits (a crash, Telegram down or throttling) and runs the
reminder sweep. Every replica tries the lock every second; PostgreSQL lets it go with the
connection of a sender that dies, so the next one takes over within a second or two and
first sends what the last one left.

Why one elected sender rather than a token bucket row shared by all replicas: the bucket
costs a round trip to one hot row per message and a schema change, and still leaves
per-chat turns and "Telegram asked everyone to wait" to be shared some other way; one
sender knows all of it in memory, and on SQLite it is simply the process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram.error import RetryAfter

from bot.sender import Outcome, Piece, Sender, Sent, pieces_of, replies_of
from bot.service import Handled, Mend, draw
from flows.core import content
from flows.core.contract import Reply
from storage.outbox import BATCH, SendLock, Waiting, send_lock

log = logging.getLogger("mend.outbox")
KEEP = timedelta(hours=24)  # a message still not out after a day is let go (logged, no text)
LONGEST_PAUSE = 600.0  # seconds between tries of a letter whose server keeps failing


ORPHAN_TICKS = 15
"""Outbox ticks between looks for updates a dead replica accepted (about 15 s)."""


class Dispatch:
    """One process's part: send at once when it is the sender, hand over when it is not."""

    def __init__(
        self, mend: Mend, sender: Sender, lock: SendLock | None = None, channel: str = "telegram"
    ) -> None:
        self.mend = mend
        self.sender = sender
        self.channel = channel
        self.lock = lock or SendLock()
        sender.gate = lambda: self.lock.leading
        self._elected = False
        self._draining = False
        self._again = False
        self._in_hand: set[int] = set()  # letters the adapter is sending right now
        self._woken: set[asyncio.Task[int]] = set()
        self._ticks = 0

    @classmethod
    def for_database(cls, mend: Mend, sender: Sender, channel: str = "telegram") -> Dispatch:
        """With the lock that fits the database (advisory on PostgreSQL)."""
        dispatch = cls(mend, sender, channel=channel)
        dispatch.lock = send_lock(mend.engine, dispatch.wake)
        return dispatch

    @property
    def leading(self) -> bool:
        return self.lock.leading

    def due_for_orphans(self) -> bool:
        """Every `ORPHAN_TICKS` ticks: looking for another replica's unfinished updates is a
        read the sender can afford now and then, not every second."""
        self._ticks = (self._ticks + 1) % ORPHAN_TICKS
        return self._ticks == 0

    async def elect(self) -> bool:
        """Try to be the sender (or stay it). On becoming it, what the last one left (in its
        grace period, or taken when it died) is due at once and sent."""
        already = self._elected and self.lock.leading
        if not await self.lock.acquire():
            self._elected = False
            return False
        if not already:
            self._elected = True
            self.mend.outbox.all_due_now(self.mend.clock())
            await self.drain()
        return True

    async def tick(self) -> None:
        """The repeating job: every replica tries the lock; the sender drains."""
        if await self.elect():
            await self.drain()

    def wake(self) -> None:
        """Letters were handed over (a NOTIFY): send them now."""
        task = asyncio.get_running_loop().create_task(self.drain())
        self._woken.add(task)
        task.add_done_callback(self._woken.discard)

    # --- what an event said ----------------------------------------------------------------

    async def answer(self, chat_id: int, handled: Handled, replies: Sequence[Reply]) -> None:
        """The event's letters: sent now by the sender, handed over by any other replica.

        `replies` is this chat's answer as it should go out (the adapter may have added to
        it). On the sender, the partner's messages go first, so this person is never told
        "sent" for something that did not arrive, and a failure there never costs this chat
        its answer. A refusal that can never succeed (a bad request) is raised after the
        letters are let go, so the adapter apologises as for any other failure.
        """
        letters = list(handled.letters)
        own = letters.pop(0) if letters else None
        if not self.leading:
            self._hand_over(chat_id, handled, replies, own, letters)
            return
        delivered: list[int] = []
        for n, other in enumerate(handled.others):
            letter = letters[n] if n < len(letters) else None
            if other.channel != self.channel:  # no such chat here to send it to
                delivered.extend(filter(None, (letter,)))
                continue
            outcome = await self._send(int(other.external_id), pieces_of(other.replies), letter)
            if outcome.result is Sent.OK:
                delivered.extend(filter(None, (letter,)))
                continue
            log.info("could not reach a partner: %s", type(outcome.error).__name__)
            kept = outcome.result is Sent.FAILED and outcome.retry_in is not None
            if kept:
                self._keep(letter, other.external_id, pieces_of(other.replies), outcome)
            else:  # never deliverable: let it go, and say so
                delivered.extend(filter(None, (letter,)))
            sent = content.text("partner", "sent")
            replies = (
                *(r for r in replies if r.text != sent),
                Reply(content.text("partner", "queued" if kept else "not_delivered")),
            )
        pieces = pieces_of(replies)
        outcome = await self._send(chat_id, pieces, own)
        if outcome.result is Sent.FAILED and outcome.retry_in is not None:
            self._keep(own, str(chat_id), pieces, outcome)
        else:
            delivered.extend(filter(None, (own,)))
        if delivered:
            self.mend.delivered(delivered)
        if outcome.result is Sent.FAILED and outcome.retry_in is None and outcome.error:
            raise outcome.error

    async def say(self, chat_id: int, replies: Sequence[Reply]) -> None:
        """Messages no event wrote down (an apology): the same way out, kept if refused."""
        if not self.leading:
            now = self.mend.clock()
            self.mend.outbox.hand_over(now, new=[(self.channel, str(chat_id), replies)])
            return
        pieces = pieces_of(replies)
        outcome = await self._send(chat_id, pieces, None)
        if outcome.result is Sent.FAILED and outcome.retry_in is not None:
            self._keep(None, str(chat_id), pieces, outcome)
        elif outcome.result is Sent.FAILED and outcome.error:
            raise outcome.error

    async def _send(self, chat_id: int, pieces: Sequence[Piece], letter: int | None) -> Outcome:
        if letter is not None:
            self._in_hand.add(letter)
        try:
            return await self.sender.letter(chat_id, pieces)
        finally:
            if letter is not None:
                self._in_hand.discard(letter)

    def _hand_over(
        self,
        chat_id: int,
        handled: Handled,
        replies: Sequence[Reply],
        own: int | None,
        others: list[int],
    ) -> None:
        rewrite = {own: replies} if own is not None and tuple(replies) != handled.replies else {}
        new = [(self.channel, str(chat_id), replies)] if own is None and replies else []
        ids = [own, *others] if own is not None else others
        if ids or new:
            self.mend.outbox.hand_over(self.mend.clock(), ids, rewrite=rewrite, new=new)

    def _keep(
        self, letter: int | None, external_id: str, pieces: Sequence[Piece], outcome: Outcome
    ) -> None:
        """What Telegram would not take yet waits in the outbox: only what is left of it."""
        now = self.mend.clock()
        at = now + timedelta(seconds=outcome.retry_in or 0.0)
        rest = replies_of(pieces[outcome.done :])
        if letter is None:
            self.mend.outbox.add(self.channel, external_id, rest, now, at)
        else:
            self.mend.outbox.later(letter, 1, at, rest)

    # --- what waits -----------------------------------------------------------------------

    async def drain(self) -> int:
        """Send what the outbox holds that is due, oldest first; each chat's letters in
        order, chats side by side (the pacer keeps the budget). Returns how many went out.
        Only the sender drains; a drain asked for while one runs makes that one look again."""
        if not self.leading:
            return 0
        if self._draining:
            self._again = True
            return 0
        self._draining = True
        sent = 0
        try:
            while self.leading:
                self._again = False
                letters = self.mend.outbox.claim(self.mend.clock())
                chats: dict[tuple[str, str], list[Waiting]] = {}
                for letter in letters:
                    if letter.id not in self._in_hand:
                        chats.setdefault((letter.channel, letter.external_id), []).append(letter)
                counts = await asyncio.gather(*(self._drain_chat(c) for c in chats.values()))
                sent += sum(counts)
                if not self._again and len(letters) < BATCH:
                    break
        finally:
            self._draining = False
        return sent

    async def _drain_chat(self, letters: list[Waiting]) -> int:
        sent = 0
        for n, letter in enumerate(letters):
            if letter.channel != self.channel:
                self.mend.delivered([letter.id])
                continue
            if self.mend.clock() - letter.created_at > KEEP:
                log.warning(
                    "a message not sent within %s was let go (%d tries)", KEEP, letter.attempts
                )
                self.mend.delivered([letter.id])
                continue
            pieces = pieces_of([draw(r) for r in letter.replies])
            outcome = await self.sender.letter(int(letter.external_id), pieces)
            if outcome.result is Sent.FAILED and outcome.retry_in is not None:
                at = self._retry_at(letter, outcome)
                rest = replies_of(pieces[outcome.done :]) if outcome.done else None
                self.mend.outbox.later(letter.id, letter.attempts + 1, at, rest)
                for after in letters[n + 1 :]:  # the chat's later letters keep their order
                    self.mend.outbox.later(after.id, after.attempts, at)
                return sent
            if outcome.result is Sent.FAILED:
                log.warning("a message was refused and let go: %s", type(outcome.error).__name__)
            self.mend.delivered([letter.id])
            sent += outcome.result is Sent.OK
        return sent

    def _retry_at(self, letter: Waiting, outcome: Outcome) -> datetime:
        """When Telegram said (too many requests), else a pause growing with each try; at
        once when this process merely stopped being the sender."""
        wait = outcome.retry_in or 0.0
        if outcome.error is not None and not isinstance(outcome.error, RetryAfter):
            wait = max(wait, min(LONGEST_PAUSE, 5.0 * 2**letter.attempts))
        return self.mend.clock() + timedelta(seconds=wait)
