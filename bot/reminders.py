"""The reminder sweep: one repeating job finds due rituals, sends each once, moves it on.

Every scheduled send (a ritual's reminder, a "later" come round, an agreement's review or
end prompt) follows the same fenced claim (storage/leases.py):

1. Claim before sending: the rows get a new owner token and a lease (at least
   `LEASE_FLOOR`). A ritual's day is recorded under a unique (ritual, local date) key as
   "claimed"; an agreement records each partner prompted as it goes.
2. Keep the claim while sending: a heartbeat renews the lease every third of it, and just
   before each send the claim is checked (renewed first when half the lease is gone). A
   renewal that finds a row taken over calls off that row's send if it is still waiting.
3. Mark only as the owner: "sent" and the move to the next time are written `WHERE
   claim_token = :token`, in one transaction. A sweep whose lease ran out and was taken
   over changes nothing and sends nothing more; its claim was somebody else's by then.

Where it could fail:
- A crash after the claim but before the send: the lease runs out, the next sweep claims
  the ritual again (a new token), finds the day still "claimed", and sends it. Once.
- A second process: it cannot claim a leased row; the unique key stops it from recording
  the same day twice, and the token stops a late first claimer from marking or resending.
- What stays at least once: Telegram accepted a message, then the process died (or lost
  the database for a whole lease) before the mark was committed. The next owner cannot
  know the message arrived, and sends it again. The window is one send and one commit: a
  mark follows each send at once, and an agreement records each partner after their
  prompt. Telegram offers no idempotency key for sendMessage that could close it.
- A single send slower than the whole lease while the heartbeat cannot reach the database
  could also be sent twice; the floor (well above one Telegram call's timeouts) and the
  renewal keep that to a database outage longer than the lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import ParamSpec, TypeVar

from bot.clock import Clock, system_clock
from bot.keyboards import keyboard_json
from bot.sender import Sender, Sent
from flows import steps
from flows.core import calendar, content
from flows.core.contract import Reply, role_of
from flows.views import prompts, reminders
from storage.agreements import AgreementStore, Due
from storage.rituals import Claimed, RitualStore

log = logging.getLogger("mend.reminders")
P = ParamSpec("P")
T = TypeVar("T")

SWEEP_SECONDS = 20
LEASE = timedelta(minutes=5)
LEASE_FLOOR = timedelta(seconds=60)
"""No claim is shorter: a lease must outlast one Telegram call (its timeouts), or another
sweep could take the row over while our message is on its way."""
STALE = timedelta(hours=2)
BATCH = 200
BUDGET_SECONDS = 15.0


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """The sweep's database work runs in a worker thread: a lock held elsewhere (SQLite's
    busy wait) then delays the sweep, never the event loop everyone's replies run on."""
    return await asyncio.to_thread(fn, *args, **kwargs)


Renew = Callable[[str, Sequence[int], datetime], set[int]]


class Hold:
    """One claim as this process knows it: its owner token, the rows it still holds, and
    until when. The database is the judge (a renewal answers which rows are still ours);
    this keeps its last answer, so the check before each send is usually free."""

    def __init__(
        self,
        token: str,
        keys: Iterable[int],
        renew: Renew,
        clock: Clock,
        lease: timedelta,
        until: datetime,
    ) -> None:
        self.token = token
        self.until = until  # the lease as last written by us
        self._held = set(keys)
        self._renew = renew
        self._clock = clock
        self._lease = lease
        self._sending: dict[int, asyncio.Future[Sent]] = {}
        self._renewing = asyncio.Lock()  # many sends checking at once renew once

    async def renew(self) -> None:
        """Extend the lease of every row still held; a row found taken over is let go, and
        its send, if still waiting in the sender, is called off."""
        asked = sorted(self._held)
        if not asked:
            return
        until = self._clock() + self._lease
        kept = await off_loop(self._renew, self.token, asked, until)
        self.until = until
        for key in set(asked) - kept:
            self._held.discard(key)  # taken over, or already marked: no longer ours to send
            sending = self._sending.get(key)
            if sending is not None and not sending.done():
                log.warning("a claim was taken over while its send waited; called off")
                sending.cancel()

    async def holds(self, key: int) -> bool:
        """Whether `key` may be sent now: still ours, with at least half the lease ahead."""
        if key not in self._held:
            return False
        if self._clock() + self._lease / 2 >= self.until:
            async with self._renewing:
                if self._clock() + self._lease / 2 >= self.until:
                    try:
                        await self.renew()
                    except Exception as problem:  # no database, no proof the claim is ours
                        log.warning("claim not renewed: %s", type(problem).__name__)
                        return False
        return key in self._held

    def let_go(self, key: int) -> None:
        """Marked or released: nothing left to renew."""
        self._held.discard(key)

    async def send(self, key: int, sending: Awaitable[Sent]) -> Sent | None:
        """Run one send while holding `key`; None if the claim was lost before or during it
        (then this process sent nothing, as far as it can know)."""
        if not await self.holds(key):
            if asyncio.iscoroutine(sending):
                sending.close()
            return None
        task: asyncio.Future[Sent] = asyncio.ensure_future(sending)
        self._sending[key] = task
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and (current is None or not current.cancelling()):
                return None  # called off by a renewal that found the claim gone
            raise
        finally:
            self._sending.pop(key, None)


def _quiet_now(claimed: Claimed, now: datetime) -> bool:
    """Quiet hours are checked at the moment of sending too (a late or snoozed reminder);
    `flows.views.reminders.waits` is the rule, the night included for those who set none."""
    try:
        local = now.astimezone(calendar.zone_for(claimed.timezone or "UTC")).time()
        chosen = time_of(claimed.local_time)
    except ValueError:
        return False
    return reminders.waits(local, chosen, claimed.quiet_from, claimed.quiet_to)


def days_of(text: str) -> frozenset[int]:
    return frozenset(int(ch) for ch in text if ch.isdigit() and int(ch) < 7)


def time_of(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(slots=True)
class Outgoing:
    claimed: Claimed
    delivery_id: int
    prompt_id: str | None
    prompt_text: str | None
    reply: Reply
    next_due_at: datetime


@dataclass(slots=True)
class Batch:
    """One claimed batch, composed and ready to send (or already settled)."""

    outgoing: list[Outgoing] = field(default_factory=list)
    settled_deliveries: list[dict[str, object]] = field(default_factory=list)
    settled_rituals: list[dict[str, object]] = field(default_factory=list)
    claimed: int = 0
    token: str = ""  # the claim's owner
    until: datetime | None = None  # the lease the claim wrote


@dataclass(slots=True)
class Report:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    lost: int = 0  # claims another sweep took over: not sent by us, or our late mark refused


COUNTS = ("claimed", "sent", "skipped", "blocked", "failed", "lost")


class Reminders:
    def __init__(
        self,
        store: RitualStore,
        sender: Sender | None = None,
        clock: Clock = system_clock,
        *,
        batch: int = BATCH,
        on_sent: Callable[[Claimed, str], None] | None = None,
        lease: timedelta = LEASE,
        agreements: AgreementStore | None = None,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.agreements = agreements
        # How long a claim holds before another sweep may take it over (renewed while sending).
        self.lease = max(lease, LEASE_FLOOR)
        if lease < LEASE_FLOOR:
            log.warning("reminder lease raised to %s s", int(LEASE_FLOOR.total_seconds()))
        self.pause = pause  # the heartbeat's wait between renewals (tests drive it)
        self.store = store
        self.sender = sender
        self.clock = clock
        self.batch = batch
        self.on_sent = on_sent  # e.g. let an idle person's next words answer the question

    # --- claim and compose ---------------------------------------------------------------

    def prepare(self, now: datetime) -> Batch:
        claimed = self.store.claim(now, self.lease, self.batch)
        out = Batch(claimed=len(claimed), until=now + self.lease)
        if not claimed:
            return out
        out.token = claimed[0].token
        rows: list[dict[str, object]] = []
        plans: dict[int, tuple[Claimed, str, datetime, bool]] = {}
        for c in claimed:
            zone = c.timezone or "UTC"
            try:
                local_day = calendar.local_date_of(c.due_at, zone)
                at, days = time_of(c.local_time), days_of(c.days)
                following = calendar.next_due(at, days, zone, c.due_at)
                local_time = c.due_at.astimezone(calendar.zone_for(zone)).time()
            except (ValueError, KeyError):
                log.warning("ritual %s has an unusable schedule; paused", c.ritual_id)
                following = now + timedelta(days=1)
                local_day, local_time = now.date(), time(12)
            skip = (
                not c.reachable
                or now - c.due_at > STALE
                or reminders.in_quiet_hours(local_time, c.quiet_from, c.quiet_to)
                or _quiet_now(c, now)
            )
            plans[c.ritual_id] = (c, local_day.isoformat(), following, skip)
            rows.append(
                {
                    "ritual_id": c.ritual_id,
                    "person_id": c.person_id,
                    "local_date": local_day.isoformat(),
                    "status": "skipped" if skip else "claimed",
                    "due_at": c.due_at,
                }
            )
        opened = self.store.open_deliveries(rows)
        to_send: list[tuple[Claimed, int, str, datetime]] = []
        for ritual_id, (c, day, following, skip) in plans.items():
            delivery_id, status = opened.get(ritual_id, (0, "skipped"))
            if status == "claimed" and delivery_id and not skip:
                to_send.append((c, delivery_id, day, following))
                continue
            out.settled_rituals.append({"r_id": ritual_id, "next_due_at": following})
            if status == "claimed" and delivery_id:
                # Left "claimed" by a crash, but now stale or quiet: the day is skipped.
                out.settled_deliveries.append(
                    {
                        "d_id": delivery_id,
                        "r_id": ritual_id,
                        "status": "skipped",
                        "prompt_id": None,
                        "sent_at": None,
                    }
                )
        self._compose(to_send, out)
        return out

    def _compose(self, to_send: Sequence[tuple[Claimed, int, str, datetime]], out: Batch) -> None:
        if not to_send:
            return
        earliest = min(date.fromisoformat(day) for _, _, day, _ in to_send)
        since = (earliest - timedelta(days=prompts.REPEAT_GAP_DAYS)).isoformat()
        recent = self.store.recent_prompts(sorted({c.person_id for c, *_ in to_send}), since)
        for c, delivery_id, day, following in to_send:
            used = {pid: date.fromisoformat(d) for pid, d in recent.get(c.person_id, {}).items()}
            prompt = prompts.choose(
                c.role,
                used,
                date.fromisoformat(day),
                focus=steps.topics(role_of(c.role)),
                seed=c.person_id,
                avoid=tuple(steps.topics_for_two()) if c.individual else (),
            )
            recent.setdefault(c.person_id, {})[prompt.id] = day
            # After a crisis, until the person says otherwise, a reminder stays neutral.
            neutral = c.discreet or c.paused
            reply = reminders.compose(delivery_id, c.kind, c.label, prompt.text, discreet=neutral)
            text = None if neutral else prompt.text
            out.outgoing.append(Outgoing(c, delivery_id, prompt.id, text, reply, following))

    # --- send and settle -----------------------------------------------------------------

    def _hold(self, token: str, keys: Iterable[int], renew: Renew, until: datetime) -> Hold:
        return Hold(token, keys, renew, self.clock, self.lease, until)

    @asynccontextmanager
    async def _kept(self, hold: Hold) -> AsyncIterator[None]:
        """A heartbeat renews the claim every third of the lease while a batch is sent."""

        async def beat() -> None:
            while True:
                await self.pause(self.lease.total_seconds() / 3)
                try:
                    await hold.renew()
                except Exception as problem:  # tried again at the next beat
                    log.warning("claim not renewed: %s", type(problem).__name__)

        heart = asyncio.create_task(beat())
        try:
            yield
        finally:
            heart.cancel()
            await asyncio.gather(heart, return_exceptions=True)

    async def deliver(self, batch: Batch, now: datetime) -> Report:
        report = Report(claimed=batch.claimed)
        report.skipped = len(batch.settled_rituals)
        if batch.settled_rituals or batch.settled_deliveries:
            held = await off_loop(
                self.store.finish, batch.token, batch.settled_deliveries, batch.settled_rituals
            )
            report.lost += len({r["r_id"] for r in batch.settled_rituals} - held)
        if not batch.outgoing:
            return report
        keys = [o.claimed.ritual_id for o in batch.outgoing]
        hold = self._hold(batch.token, keys, self.store.renew, batch.until or now + self.lease)
        async with self._kept(hold):
            results = await asyncio.gather(*(self._deliver_one(o, hold) for o in batch.outgoing))
        report.sent = sum(r is Sent.OK for r, _ in results)
        report.blocked = sum(r is Sent.BLOCKED for r, _ in results)
        report.failed = sum(r is Sent.FAILED for r, _ in results)
        report.lost += sum(lost for _, lost in results)
        return report

    async def _deliver_one(self, item: Outgoing, hold: Hold) -> tuple[Sent | None, bool]:
        """Send, then mark the day at once: the window for a double send is one commit.
        Returns what the send did (None: not sent, the claim was lost) and whether the claim
        was found lost."""
        ritual_id = item.claimed.ritual_id
        result = await hold.send(ritual_id, self._send(item))
        if result is None:
            return None, True
        if result is Sent.FAILED:
            await off_loop(self.store.release, hold.token, [ritual_id])  # tried next sweep
            hold.let_go(ritual_id)
            return result, False
        if result is Sent.BLOCKED:
            await off_loop(self.store.mark_unreachable, item.claimed.person_id)
        sent_id = None
        if result is Sent.OK and self.sender is not None and item.claimed.channel == "telegram":
            sent_id = self.sender.message_ids.get(int(item.claimed.external_id))
        if sent_id is not None:  # the quick exit reaches back to it (it did arrive)
            await off_loop(self.store.note_sent, item.claimed.person_id, sent_id, self.clock())
        held = await off_loop(
            self.store.finish,
            hold.token,
            [
                {
                    "d_id": item.delivery_id,
                    "r_id": ritual_id,
                    "status": "sent" if result is Sent.OK else "blocked",
                    "prompt_id": item.prompt_id,
                    "sent_at": self.clock(),
                }
            ],
            [{"r_id": ritual_id, "next_due_at": item.next_due_at}],
        )
        hold.let_go(ritual_id)
        if ritual_id not in held:
            log.warning("a reminder's claim was taken over before its mark; mark refused")
            return result, True
        if result is Sent.OK and self.on_sent is not None and item.prompt_text:
            try:
                self.on_sent(item.claimed, item.prompt_text)
            except Exception as problem:  # the reminder is out; an extra nicety may fail
                log.warning("after-send step failed: %s", type(problem).__name__)
        return result, False

    async def _send(self, item: Outgoing) -> Sent:
        if self.sender is None or item.claimed.channel != "telegram":
            return Sent.OK  # the terminal has no one to push to; the day is still counted
        markup = keyboard_json(item.reply.options) if item.reply.options else None
        return await self.sender.send(int(item.claimed.external_id), item.reply.text, markup)

    async def resend_snoozed(self, now: datetime) -> int:
        """ "Later" has come: the same reminder again (the same delivery, so still once a day)."""
        claimed = await off_loop(self.store.claim_snoozed, now, self.batch, self.lease)
        if not claimed:
            return 0
        token = claimed[0][0].token
        hold = self._hold(
            token, [d for _, d, _ in claimed], self.store.renew_snoozed, now + self.lease
        )
        sent = 0
        async with self._kept(hold):
            for c, delivery_id, prompt_id in claimed:
                sent += await self._resend_one(hold, c, delivery_id, prompt_id, now)
        return sent

    async def _resend_one(
        self, hold: Hold, claimed: Claimed, delivery_id: int, prompt_id: str | None, now: datetime
    ) -> bool:
        if not claimed.reachable or _quiet_now(claimed, now):
            await off_loop(self.store.mark_delivery, hold.token, delivery_id, "skipped", None)
            return False
        neutral = claimed.discreet or claimed.paused
        text = prompts.prompt_text(prompt_id) if prompt_id and not neutral else None
        reply = reminders.compose(delivery_id, claimed.kind, claimed.label, text, discreet=neutral)
        item = Outgoing(claimed, delivery_id, prompt_id, text, reply, claimed.due_at)
        result = await hold.send(delivery_id, self._send(item))
        if result is None:
            return False
        if result is Sent.FAILED:
            await off_loop(self.store.release_snoozed, hold.token, delivery_id, now)
            hold.let_go(delivery_id)
            return False
        if result is Sent.BLOCKED:
            await off_loop(self.store.mark_unreachable, claimed.person_id)
        status = "sent" if result is Sent.OK else "blocked"
        if not await off_loop(
            self.store.mark_delivery, hold.token, delivery_id, status, self.clock()
        ):
            log.warning("a put-off reminder's claim was taken over before its mark")
        hold.let_go(delivery_id)
        return result is Sent.OK

    async def agreements_due(self, now: datetime) -> int:
        """Review and end prompts of co-signed agreements, to both partners, once each."""
        if self.agreements is None:
            return 0
        store = self.agreements
        claimed = await off_loop(store.claim, now.date().isoformat(), now, self.lease, self.batch)
        if not claimed:
            return 0
        hold = self._hold(claimed[0].token, [d.id for d in claimed], store.renew, now + self.lease)
        sent = 0
        async with self._kept(hold):
            for due in claimed:
                sent += await self._prompt(store, hold, due)
        return sent

    async def _prompt(self, store: AgreementStore, hold: Hold, due: Due) -> int:
        """One agreement's prompt to each partner not yet prompted, each recorded as it goes,
        so a sweep taking over after a crash prompts only whoever has not had it."""
        key = "review" if due.what == "review" else "ended"
        text = content.text("partner.agreement", key, text=due.text)
        neutral = prompts.reminder_copy("discreet")
        prompted = set(due.prompted)
        sent = 0
        for i, partner in enumerate(due.recipients):
            if partner.channel == "telegram" and self.sender is not None:
                shown = neutral if partner.discreet else text
                result = await hold.send(due.id, self.sender.send(int(partner.external_id), shown))
                if result is None:
                    return sent  # taken over: the new owner prompts whoever is left
                sent += result is Sent.OK
                prompted.add(partner.person_id)
                last = i == len(due.recipients) - 1
                if not last and not await off_loop(
                    store.note_prompted, hold.token, due.id, due.what, prompted
                ):
                    hold.let_go(due.id)
                    return sent
        if not await off_loop(store.mark, hold.token, due.id, due.what):
            log.warning("an agreement prompt's claim was taken over before its mark")
        hold.let_go(due.id)
        return sent

    async def sweep(self) -> Report:
        """Claim, compose and send batches until nothing is due or the time budget is spent."""
        total = Report()
        total.sent += await self.resend_snoozed(self.clock())
        total.sent += await self.agreements_due(self.clock())
        started = self.clock()
        while True:
            now = self.clock()
            batch = await off_loop(self.prepare, now)
            if not batch.claimed:
                break
            report = await self.deliver(batch, now)
            for name in COUNTS:
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if (self.clock() - started).total_seconds() > BUDGET_SECONDS:
                break
        if total.claimed:
            log.info(
                "reminders: claimed %s, sent %s, skipped %s, blocked %s, failed %s, lost %s",
                total.claimed,
                total.sent,
                total.skipped,
                total.blocked,
                total.failed,
                total.lost,
            )
        return total
