"""The reminder sweep: one repeating job finds due rituals, sends each once, moves it on.

Exactly once, and where it could fail: a ritual is claimed with a lease, its day is
recorded under a unique (ritual, local date) key as "claimed", the message is sent, and
then, in one transaction, the day is marked "sent" and the ritual moves to its next time.

- A crash after the claim but before the send: the lease runs out, the next sweep claims
  the ritual again, finds the day still "claimed", and sends it. Delivered once.
- A second process: it cannot claim a leased ritual, and the unique key stops it from
  recording the same day twice.
- The one narrow window: Telegram accepted the message but the process died before the
  "sent" mark was committed (the time of one database commit). The next sweep then sends
  that reminder again. It is kept minimal by marking right after each send returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
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
from storage.agreements import AgreementStore
from storage.rituals import Claimed, RitualStore

log = logging.getLogger("mend.reminders")
P = ParamSpec("P")
T = TypeVar("T")

SWEEP_SECONDS = 20
LEASE = timedelta(minutes=5)
STALE = timedelta(hours=2)
BATCH = 200
BUDGET_SECONDS = 15.0


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """The sweep's database work runs in a worker thread: a lock held elsewhere (SQLite's
    busy wait) then delays the sweep, never the event loop everyone's replies run on."""
    return await asyncio.to_thread(fn, *args, **kwargs)


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


@dataclass(slots=True)
class Report:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0


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
    ) -> None:
        self.agreements = agreements
        self.lease = lease  # how long a claim holds before another sweep may take it over
        self.store = store
        self.sender = sender
        self.clock = clock
        self.batch = batch
        self.on_sent = on_sent  # e.g. let an idle person's next words answer the question

    # --- claim and compose ---------------------------------------------------------------

    def prepare(self, now: datetime) -> Batch:
        claimed = self.store.claim(now, self.lease, self.batch)
        out = Batch(claimed=len(claimed))
        if not claimed:
            return out
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
                    {"d_id": delivery_id, "status": "skipped", "prompt_id": None, "sent_at": None}
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

    async def deliver(self, batch: Batch, now: datetime) -> Report:
        report = Report(claimed=batch.claimed)
        report.skipped = len(batch.settled_rituals)
        if batch.settled_rituals or batch.settled_deliveries:
            await off_loop(self.store.finish, batch.settled_deliveries, batch.settled_rituals)
        results = await asyncio.gather(*(self._deliver_one(o) for o in batch.outgoing))
        report.sent = sum(r is Sent.OK for r in results)
        report.blocked = sum(r is Sent.BLOCKED for r in results)
        report.failed = sum(r is Sent.FAILED for r in results)
        return report

    async def _deliver_one(self, item: Outgoing) -> Sent:
        """Send, then mark the day at once: the window for a double send is one commit."""
        result = await self._send(item)
        if result is Sent.FAILED:
            await off_loop(self.store.release, [item.claimed.ritual_id])  # tried next sweep
            return result
        if result is Sent.BLOCKED:
            await off_loop(self.store.mark_unreachable, item.claimed.person_id)
        sent_id = None
        if result is Sent.OK and self.sender is not None and item.claimed.channel == "telegram":
            sent_id = self.sender.message_ids.get(int(item.claimed.external_id))
        if sent_id is not None:  # the quick exit reaches back to it
            await off_loop(self.store.note_sent, item.claimed.person_id, sent_id, self.clock())
        await off_loop(
            self.store.finish,
            [
                {
                    "d_id": item.delivery_id,
                    "status": "sent" if result is Sent.OK else "blocked",
                    "prompt_id": item.prompt_id,
                    "sent_at": self.clock(),
                }
            ],
            [{"r_id": item.claimed.ritual_id, "next_due_at": item.next_due_at}],
        )
        if result is Sent.OK and self.on_sent is not None and item.prompt_text:
            try:
                self.on_sent(item.claimed, item.prompt_text)
            except Exception as problem:  # the reminder is out; an extra nicety may fail
                log.warning("after-send step failed: %s", type(problem).__name__)
        return result

    async def _send(self, item: Outgoing) -> Sent:
        if self.sender is None or item.claimed.channel != "telegram":
            return Sent.OK  # the terminal has no one to push to; the day is still counted
        markup = keyboard_json(item.reply.options) if item.reply.options else None
        return await self.sender.send(int(item.claimed.external_id), item.reply.text, markup)

    async def resend_snoozed(self, now: datetime) -> int:
        """ "Later" has come: the same reminder again (the same delivery, so still once a day)."""
        sent = 0
        for claimed, delivery_id, prompt_id in await off_loop(
            self.store.claim_snoozed, now, self.batch, self.lease
        ):
            if not claimed.reachable or _quiet_now(claimed, now):
                await off_loop(self.store.mark_delivery, delivery_id, "skipped", None)
                continue
            neutral = claimed.discreet or claimed.paused
            text = prompts.prompt_text(prompt_id) if prompt_id and not neutral else None
            reply = reminders.compose(
                delivery_id, claimed.kind, claimed.label, text, discreet=neutral
            )
            item = Outgoing(claimed, delivery_id, prompt_id, text, reply, claimed.due_at)
            result = await self._send(item)
            if result is Sent.FAILED:
                await off_loop(self.store.set_status, claimed.person_id, delivery_id, "later", now)
                continue
            if result is Sent.BLOCKED:
                await off_loop(self.store.mark_unreachable, claimed.person_id)
            await off_loop(
                self.store.mark_delivery,
                delivery_id,
                "sent" if result is Sent.OK else "blocked",
                self.clock(),
            )
            sent += result is Sent.OK
        return sent

    async def agreements_due(self, now: datetime) -> int:
        """Review and end prompts of co-signed agreements, to both partners, once each."""
        if self.agreements is None:
            return 0
        sent = 0
        for due in await off_loop(self.agreements.due, now.date().isoformat()):
            key = "review" if due.what == "review" else "ended"
            text = content.text("partner.agreement", key, text=due.text)
            neutral = prompts.reminder_copy("discreet")
            for (channel, external_id), discreet in zip(due.chats, due.discreet, strict=True):
                if channel == "telegram" and self.sender is not None:
                    shown = neutral if discreet else text
                    sent += await self.sender.send(int(external_id), shown) is Sent.OK
            await off_loop(self.agreements.mark, due.id, due.what)
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
            for name in ("claimed", "sent", "skipped", "blocked", "failed"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if (self.clock() - started).total_seconds() > BUDGET_SECONDS:
                break
        if total.claimed:
            log.info(
                "reminders: claimed %s, sent %s, skipped %s, blocked %s, failed %s",
                total.claimed,
                total.sent,
                total.skipped,
                total.blocked,
                total.failed,
            )
        return total
