"""Exactly once, fenced: two sweepers on one database, each scheduled send made once.

Two reminder sweepers stand for two replicas: each has its own engine on the same database
(SQLite, and PostgreSQL when MEND_TEST_POSTGRES_URL is set) and its own sender, and both
talk to one fake Telegram. Time is the injected clock; a slow Telegram is a door the test
opens; the sweep's heartbeat beats when the test says so. Nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.mend_bot import MendBot
from bot.reminders import LEASE, LEASE_FLOOR, Reminders
from bot.sender import Sender, Sent
from bot.service import next_due
from flows.core.contract import Profile
from storage.agreements import AgreementStore
from storage.conversations import ConversationStore
from storage.crypto import TextCipher
from storage.engine import make_engine
from storage.rituals import RitualStore
from tests.conftest import POSTGRES_URL, TOKEN, FakeClock
from tests.fake_request import FakeRequest

BERLIN = "Europe/Berlin"
MORNING = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
REVIEW = "look at your transparency agreement"
STUCK = 30.0
"""Seconds after which a wait that should end at once fails the test instead of hanging
(a guard, not a timing assertion)."""


async def until(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), STUCK)


async def no_wait(_: float) -> None:
    return None


class Slow(Sender):
    """A Telegram that answers when the test opens the door (open unless closed)."""

    def __init__(self, bot: MendBot, through: int = 0) -> None:
        super().__init__(bot, sleep=no_wait)
        self.door = asyncio.Event()
        self.door.set()
        self.at_door = asyncio.Event()
        self.through = through  # sends let through before the door applies

    def close_after(self, through: int = 0) -> None:
        self.door.clear()
        self.through = through

    async def send(self, chat_id: int, text: str, markup_json: str | None = None) -> Sent:
        if self.through:
            self.through -= 1
        else:
            self.at_door.set()
            await self.door.wait()
        return await super().send(chat_id, text, markup_json)


class Heart:
    """The sweep's heartbeat, beaten by the test: each `beat` lets one renewal run."""

    def __init__(self) -> None:
        self.parked = asyncio.Event()
        self.go = asyncio.Event()

    async def pause(self, _: float) -> None:
        self.parked.set()
        await self.go.wait()
        self.go.clear()

    async def beat(self) -> None:
        """One renewal, returning once it is done (the heartbeat is parked again)."""
        await until(self.parked)
        self.parked.clear()
        self.go.set()
        await until(self.parked)


@dataclass
class Replica:
    """One bot process's sweeper: its own engine, stores, sender and heartbeat."""

    engine: Engine
    rituals: RitualStore
    agreements: AgreementStore
    sender: Slow
    heart: Heart
    reminders: Reminders


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """The one database both replicas share, migrated and empty."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("db_url"))
    request.getfixturevalue("postgres")  # skipped where there is no PostgreSQL
    return POSTGRES_URL


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[MendBot, FakeRequest]]:
    request = FakeRequest()
    bot = MendBot(TOKEN, request=request, get_updates_request=FakeRequest())
    await bot.initialize()
    yield bot, request
    await bot.shutdown()


@pytest.fixture
def replicas(
    url: str, cipher: TextCipher, clock: FakeClock, telegram: tuple[MendBot, FakeRequest]
) -> Iterator[tuple[Replica, Replica]]:
    clock.now = MORNING
    made: list[Replica] = []
    for _ in range(2):
        engine = make_engine(url)
        rituals, agreements = RitualStore(engine, cipher), AgreementStore(engine, cipher)
        sender, heart = Slow(telegram[0]), Heart()
        reminders = Reminders(rituals, sender, clock, agreements=agreements, pause=heart.pause)
        made.append(Replica(engine, rituals, agreements, sender, heart, reminders))
    yield made[0], made[1]
    for replica in made:
        replica.engine.dispose()


def people(url: str, cipher: TextCipher, count: int, first: int = 7000) -> list[int]:
    engine = make_engine(url)
    store = ConversationStore(engine, cipher)
    ids = []
    for user in range(first, first + count):
        loaded = store.load("telegram", str(user), MORNING)
        fields = Profile(consented=True, role="both", timezone=BERLIN)
        store.save(loaded, fields, loaded.conversation, [], MORNING)
        ids.append(loaded.person_id)
    store.close()
    engine.dispose()
    return ids


def coffee_at_eight(url: str, cipher: TextCipher, person_id: int) -> int:
    engine = make_engine(url)
    due = next_due(Profile(timezone=BERLIN), "08:00", "0123456", MORNING - timedelta(minutes=1))
    ritual_id = RitualStore(engine, cipher).add(
        person_id, "coffee", None, "08:00", "0123456", due, MORNING
    )
    engine.dispose()
    return ritual_id


def arrived(request: FakeRequest) -> Counter[int]:
    """How many messages each chat got."""
    return Counter(int(c.params["chat_id"]) for c in request.sent())


MARKED = (
    "SELECT r.next_due_at, r.lease_until, d.status, d.sent_at "
    "FROM rituals r JOIN deliveries d ON d.ritual_id = r.id"
)


def one_row(engine: Engine, sql: str) -> tuple[object, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(sql)).one())


# --- ritual reminders ------------------------------------------------------------------


async def test_a_stalled_first_claimer_is_fenced_out_and_the_second_sends_once(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    """The first claims and stalls past its lease; the second takes over and sends; the
    first wakes up and sends nothing, and its mark would change nothing."""
    one, two = replicas
    (pid,) = people(url, cipher, 1)
    coffee_at_eight(url, cipher, pid)
    stalled = one.reminders.prepare(clock.now)
    assert len(stalled.outgoing) == 1

    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert (await two.reminders.sweep()).sent == 1
    before = one_row(one.engine, MARKED)

    late = await one.reminders.deliver(stalled, clock.now)
    assert arrived(telegram[1]) == {7000: 1}, "the first one does not resend"
    assert one_row(one.engine, MARKED) == before, "nor mark"
    assert (late.sent, late.lost) == (0, 1)
    token = one_row(one.engine, "SELECT claim_token FROM rituals")
    assert token != (stalled.token,), "the reclaim had a token of its own"
    item = stalled.outgoing[0]
    settle = {"d_id": item.delivery_id, "r_id": item.claimed.ritual_id, "prompt_id": None}
    assert (
        one.rituals.finish(
            stalled.token,
            [{**settle, "status": "sent", "sent_at": clock.now}],
            [{"r_id": item.claimed.ritual_id, "next_due_at": clock.now}],
        )
        == set()
    ), "a late mark, tried anyway, changes nothing"
    assert one_row(one.engine, MARKED) == before
    assert one_row(one.engine, "SELECT count(*), min(status) FROM deliveries") == (1, "sent")


async def test_a_slow_send_keeps_its_claim_alive_and_no_one_else_sends(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    """A slow Telegram: the first sweeper's heartbeat renews its lease while the message is
    on its way, so the second finds nothing to claim even after the first lease would
    have run out (without renewal, 29 of 150 arrived twice)."""
    one, two = replicas
    (pid,) = people(url, cipher, 1)
    coffee_at_eight(url, cipher, pid)
    one.sender.close_after(0)
    sweeping = asyncio.create_task(one.reminders.sweep())
    await until(one.sender.at_door)  # claimed, and the message is on its way

    clock.advance(seconds=LEASE.total_seconds() * 2 / 3)
    await one.heart.beat()
    clock.advance(seconds=LEASE.total_seconds() * 2 / 3)  # past the first lease
    assert (await two.reminders.sweep()).claimed == 0, "the renewed claim still holds"

    one.sender.door.set()
    report = await sweeping
    assert (report.sent, report.lost) == (1, 0)
    assert arrived(telegram[1]) == {7000: 1}
    assert one_row(one.engine, "SELECT status FROM deliveries") == ("sent",)


async def test_a_claim_found_taken_over_calls_off_the_send_still_waiting(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    """The first sweeper's send waits (Telegram asked it to) and its heartbeat could not run
    for a whole lease; the second takes over and sends. The first's next renewal finds the
    claim gone and calls its own send off: the message arrives once."""
    one, two = replicas
    (pid,) = people(url, cipher, 1)
    coffee_at_eight(url, cipher, pid)
    one.sender.close_after(0)
    sweeping = asyncio.create_task(one.reminders.sweep())
    await until(one.sender.at_door)

    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert (await two.reminders.sweep()).sent == 1
    await one.heart.beat()  # the renewal: taken over
    report = await sweeping
    assert (report.sent, report.lost) == (0, 1)
    one.sender.door.set()
    assert arrived(telegram[1]) == {7000: 1}
    assert one_row(one.engine, "SELECT count(*), min(status) FROM deliveries") == (1, "sent")


def test_a_lease_is_never_shorter_than_the_floor(
    replicas: tuple[Replica, Replica], clock: FakeClock
) -> None:
    one, _ = replicas
    short = Reminders(one.rituals, None, clock, lease=timedelta(seconds=10))
    assert short.lease == LEASE_FLOOR >= timedelta(seconds=60)


# --- agreement review and end prompts ---------------------------------------------------


def agreements(url: str, cipher: TextCipher, count: int) -> list[tuple[int, int]]:
    """`count` linked couples, each with an agreement whose review is due today."""
    ids = people(url, cipher, 2 * count)
    engine = make_engine(url)
    store = AgreementStore(engine, cipher)
    pairs = list(zip(ids[::2], ids[1::2], strict=True))
    for a, b in pairs:
        store.activate(a, b, "We share our schedules", "2026-06-01", "2026-03-02", MORNING)
    engine.dispose()
    return pairs


async def test_twenty_agreement_reviews_with_two_sweepers_each_partner_prompted_once(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    """20 reviews due, two sweepers: the first claims them and is slow to send; the second,
    sweeping meanwhile, finds them claimed. (Read, send, then mark: 76 messages to 40.)"""
    one, two = replicas
    agreements(url, cipher, 20)
    one.sender.close_after(0)
    first = asyncio.create_task(one.reminders.sweep())
    await until(one.sender.at_door)
    second = await two.reminders.sweep()
    one.sender.door.set()
    await first
    assert second.sent == 0
    chats = arrived(telegram[1])
    assert chats == {user: 1 for user in range(7000, 7040)}, "each partner once"
    assert all(REVIEW in c.text for c in telegram[1].sent())
    telegram[1].clear()
    await asyncio.gather(one.reminders.sweep(), two.reminders.sweep())
    assert telegram[1].sent() == [], "and never again"
    assert one_row(one.engine, "SELECT count(*) FROM agreements WHERE review_sent") == (20,)


async def test_twenty_agreement_reviews_two_sweepers_at_once(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    one, two = replicas
    agreements(url, cipher, 20)
    await asyncio.gather(one.reminders.sweep(), two.reminders.sweep())
    assert arrived(telegram[1]) == {user: 1 for user in range(7000, 7040)}


async def test_a_review_taken_over_half_way_reaches_only_the_partner_still_waiting(
    url: str,
    cipher: TextCipher,
    clock: FakeClock,
    replicas: tuple[Replica, Replica],
    telegram: tuple[MendBot, FakeRequest],
) -> None:
    """The first sweeper prompts one partner and dies before the other; once its lease has
    run out the second prompts only the one still waiting."""
    one, two = replicas
    ((a, _),) = agreements(url, cipher, 1)
    one.sender.close_after(1)
    first = asyncio.create_task(one.reminders.sweep())
    await until(one.sender.at_door)  # one partner prompted, the other's prompt waiting
    first.cancel()  # the process dies
    with pytest.raises(asyncio.CancelledError):
        await first
    assert arrived(telegram[1]) == {7000: 1}
    assert one_row(one.engine, "SELECT prompted FROM agreements") == (f"review:{a}",)

    assert (await two.reminders.sweep()).sent == 0, "the lease still holds"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert (await two.reminders.sweep()).sent == 1
    assert arrived(telegram[1]) == {7000: 1, 7001: 1}
    assert one_row(two.engine, "SELECT review_sent, prompted FROM agreements") == (True, None)


async def test_a_late_agreement_mark_changes_nothing(
    url: str, cipher: TextCipher, clock: FakeClock, replicas: tuple[Replica, Replica]
) -> None:
    one, two = replicas
    agreements(url, cipher, 1)
    (stalled,) = one.agreements.claim("2026-03-02", clock.now, LEASE, 10)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    (taken,) = two.agreements.claim("2026-03-02", clock.now, LEASE, 10)
    assert taken.token != stalled.token
    assert not one.agreements.note_prompted(stalled.token, stalled.id, "review", [1])
    assert not one.agreements.mark(stalled.token, stalled.id, "review")
    one.agreements.release(stalled.token, [stalled.id])
    assert one.agreements.renew(stalled.token, [stalled.id], clock.now + LEASE) == set()
    row = one_row(one.engine, "SELECT review_sent, prompted, claim_token FROM agreements")
    assert row == (False, None, taken.token), "still the second's claim, untouched"
    assert two.agreements.mark(taken.token, taken.id, "review")
