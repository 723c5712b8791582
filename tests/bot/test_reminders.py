"""Reminders that arrive once, on local time, and leave people alone when they should."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from telegram.ext import Application

from bot.mend_bot import MendBot
from bot.reminders import LEASE, Reminders
from bot.sender import Sender
from bot.service import Mend
from flows.core.contract import Choice, Command, Profile, Text
from storage.conversations import ConversationStore
from storage.crypto import TextCipher
from storage.memory import PersonMemory
from storage.rituals import RitualStore
from tests.conftest import FakeClock
from tests.fake_request import FakeRequest

App = Application[Any, Any, Any, Any, Any, Any]
ALEX = 5150
BERLIN = "Europe/Berlin"


async def no_wait(_: float) -> None:
    return None


def person(mend: Mend, user: int = ALEX, **profile: Any) -> int:
    now = mend.clock()
    loaded = mend.store.load("telegram", str(user), now)
    fields: dict[str, Any] = {"consented": True, "role": "both", "timezone": BERLIN, **profile}
    mend.store.save(loaded, Profile(**fields), loaded.conversation, [], now)
    return loaded.person_id


def ritual(mend: Mend, person_id: int, at: str = "08:00", kind: str = "coffee") -> int:
    from bot.service import next_due

    profile = Profile(timezone=BERLIN)
    due = next_due(profile, at, "0123456", mend.clock() - timedelta(minutes=1))
    return mend.rituals.add(person_id, kind, None, at, "0123456", due, mend.clock())


def sweeper(mend: Mend, app: App, **kw: Any) -> Reminders:
    bot = app.bot
    assert isinstance(bot, MendBot)
    return Reminders(mend.rituals, Sender(bot, sleep=no_wait), mend.clock, **kw)


def sent_to(request: FakeRequest, chat: int) -> list[str]:
    return [c.text for c in request.sent(chat)]


@pytest.fixture
def morning(clock: FakeClock) -> FakeClock:
    clock.now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin (winter time)
    return clock


async def test_a_due_ritual_arrives_once_and_moves_to_tomorrow(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    reminders = sweeper(mend, app)
    report = await reminders.sweep()
    assert report.sent == 1
    said = sent_to(request_log, ALEX)
    assert len(said) == 1
    keys = [k for _, k in request_log.sent(ALEX)[0].options]
    assert any(k.endswith(".done") for k in keys) and any(k.endswith(".later") for k in keys)
    assert (await reminders.sweep()).sent == 0, "the same sweep again sends nothing"
    with engine.connect() as conn:
        due = conn.execute(text("SELECT next_due_at FROM rituals")).scalar()
    assert str(due).startswith("2026-03-03 07:00"), due


async def test_a_restart_never_sends_the_same_day_twice(
    mend: Mend,
    app: App,
    request_log: FakeRequest,
    morning: FakeClock,
    cipher: TextCipher,
    engine: Engine,
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    await sweeper(mend, app).sweep()
    restarted = Reminders(RitualStore(engine, cipher), Sender(app.bot, sleep=no_wait), mend.clock)
    morning.advance(minutes=1)
    assert (await restarted.sweep()).sent == 0
    assert len(sent_to(request_log, ALEX)) == 1


async def test_a_crash_after_the_claim_delivers_on_the_next_sweep(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    crashed = sweeper(mend, app)
    batch = crashed.prepare(morning.now)  # claimed and recorded, then the process dies
    assert len(batch.outgoing) == 1 and sent_to(request_log, ALEX) == []
    survivor = sweeper(mend, app)
    assert (await survivor.sweep()).sent == 0, "the lease still holds"
    morning.advance(seconds=LEASE.total_seconds() + 1)
    assert (await survivor.sweep()).sent == 1
    morning.advance(minutes=1)
    assert (await survivor.sweep()).sent == 0
    assert len(sent_to(request_log, ALEX)) == 1


async def test_two_processes_on_one_database_send_once(
    mend: Mend,
    app: App,
    request_log: FakeRequest,
    morning: FakeClock,
    cipher: TextCipher,
    engine: Engine,
) -> None:
    pid = person(mend)
    for at in ("08:00",):
        ritual(mend, pid, at)
    one = sweeper(mend, app)
    two = Reminders(RitualStore(engine, cipher), Sender(app.bot, sleep=no_wait), mend.clock)
    first, second = one.prepare(morning.now), two.prepare(morning.now)
    assert len(first.outgoing) + len(second.outgoing) == 1
    await one.deliver(first, morning.now)
    await two.deliver(second, morning.now)
    assert len(sent_to(request_log, ALEX)) == 1


async def test_after_downtime_a_stale_reminder_is_skipped_silently(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    morning.advance(hours=3)  # the bot was down at 08:00
    report = await sweeper(mend, app).sweep()
    assert report.sent == 0 and report.skipped == 1
    assert sent_to(request_log, ALEX) == []


async def test_quiet_hours_are_never_broken(
    mend: Mend, app: App, request_log: FakeRequest, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    pid = person(mend, quiet_from="22:00", quiet_to="07:00")
    ritual(mend, pid, "23:30")
    assert (await sweeper(mend, app).sweep()).sent == 0
    assert sent_to(request_log, ALEX) == []


async def test_paused_reminders_stay_quiet(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend, reminders_paused=True)
    ritual(mend, pid)
    assert (await sweeper(mend, app).sweep()).sent == 0


async def test_blocked_means_left_alone_until_they_write_again(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    request_log.fail["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    report = await sweeper(mend, app).sweep()
    assert report.blocked == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT active FROM people")).scalar() == 0
    morning.advance(days=1)
    assert (await sweeper(mend, app).sweep()).sent == 0, "blocked: no more reminders"
    mend.handle("telegram", str(ALEX), Choice("idle..help"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT active FROM people")).scalar() == 1


async def test_too_many_requests_waits_and_never_drops(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    waited: list[float] = []

    async def wait(seconds: float) -> None:
        waited.append(seconds)

    bot = app.bot
    assert isinstance(bot, MendBot)
    reminders = Reminders(mend.rituals, Sender(bot, sleep=wait), mend.clock)
    request_log.fail["sendMessage"] = (429, "Too Many Requests: retry after 3")
    assert (await reminders.sweep()).sent == 1
    assert 3.0 in waited


async def test_buttons_done_later_and_answer(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    await sweeper(mend, app).sweep()
    keys = {k.rsplit(".", 1)[1]: k for _, k in request_log.sent(ALEX)[0].options}
    said = mend.handle("telegram", str(ALEX), Choice(keys["later"])).replies
    hour = next(o.key for o in said[0].options if o.key.endswith(".hour"))
    mend.handle("telegram", str(ALEX), Choice(hour))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM deliveries")).scalar() == "later"
    request_log.clear()
    morning.advance(minutes=61)
    await sweeper(mend, app).sweep()
    assert len(sent_to(request_log, ALEX)) == 1, "later came, once"
    mend.handle("telegram", str(ALEX), Choice(keys["done"]))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM deliveries")).scalar() == "done"


async def test_an_idle_persons_next_words_answer_the_question(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    reminders = sweeper(
        mend,
        app,
        on_sent=lambda c, prompt: mend.offer_answer(c.channel, c.external_id, prompt),
    )
    await reminders.sweep()
    mend.handle("telegram", str(ALEX), Text("We had coffee and it felt easier"))
    memory = PersonMemory(mend.engine, pid, mend.cipher)
    entries = memory.journal(5)
    assert entries and entries[0].kind == "prompt"
    assert dict(entries[0].parts)["answer"] == "We had coffee and it felt easier"


async def test_someone_elses_reminder_button_changes_nothing(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    await sweeper(mend, app).sweep()
    done = next(k for _, k in request_log.sent(ALEX)[0].options if k.endswith(".done"))
    person(mend, user=6000)
    said = mend.handle("telegram", "6000", Choice(done)).replies
    assert "expired" in said[0].text or "isn’t yours" in said[0].text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM deliveries")).scalar() == "sent"


async def test_discreet_reminders_say_nothing_personal(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend, discreet=True)
    ritual(mend, pid)
    await sweeper(mend, app).sweep()
    said = sent_to(request_log, ALEX)[0]
    assert "Mend" in said and "coffee" not in said.lower()


def test_changing_time_zone_moves_every_ritual(
    mend: Mend, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid, "08:00")
    store = ConversationStore(engine, mend.cipher)
    loaded = store.load("telegram", str(ALEX), morning.now)
    assert loaded.profile.timezone == BERLIN
    mend.handle("telegram", str(ALEX), Command("settings"))
    mend.handle("telegram", str(ALEX), Choice("settings.menu.zone"))
    mend.handle("telegram", str(ALEX), Text("New York"))
    mend.handle("telegram", str(ALEX), Choice("settings.confirm.yes"))
    with engine.connect() as conn:
        due = conn.execute(text("SELECT next_due_at FROM rituals")).scalar()
    assert str(due).startswith("2026-03-02 13:00"), due  # 08:00 in New York (EST)


async def test_a_crisis_pause_makes_reminders_neutral(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    pid = person(mend, paused="self_harm")
    ritual(mend, pid)
    await sweeper(mend, app).sweep()
    said = sent_to(request_log, ALEX)[0]
    assert said == "A gentle reminder from Mend."


async def test_a_day_left_claimed_by_a_crash_is_skipped_if_now_stale(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    pid = person(mend)
    ritual(mend, pid)
    sweeper(mend, app).prepare(morning.now)  # claimed, then the process died
    morning.advance(hours=18)
    await sweeper(mend, app).sweep()
    assert sent_to(request_log, ALEX) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM deliveries")).scalar() == "skipped"


async def test_a_late_reminder_never_lands_in_quiet_hours(
    mend: Mend, app: App, request_log: FakeRequest, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 21:30 Berlin
    pid = person(mend, quiet_from="22:00", quiet_to="07:00")
    ritual(mend, pid, "21:30")
    clock.advance(minutes=45)  # the bot was down; now 22:15 local
    assert (await sweeper(mend, app).sweep()).sent == 0


async def test_a_snooze_into_the_night_is_skipped(
    mend: Mend, app: App, request_log: FakeRequest, clock: FakeClock, engine: Engine
) -> None:
    clock.now = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)  # 22:00 Berlin
    pid = person(mend, quiet_from="23:00", quiet_to="07:00")
    ritual(mend, pid, "22:00")
    await sweeper(mend, app).sweep()
    keys = {k.rsplit(".", 1)[1]: k for _, k in request_log.sent(ALEX)[0].options}
    said = mend.handle("telegram", str(ALEX), Choice(keys["later"])).replies
    evening = next(o.key for o in said[0].options if o.key.endswith(".evening"))
    mend.handle("telegram", str(ALEX), Choice(evening))
    request_log.clear()
    clock.advance(minutes=61)  # 23:01 local: quiet
    await sweeper(mend, app).sweep()
    assert sent_to(request_log, ALEX) == []


async def test_a_lock_held_elsewhere_delays_the_sweep_not_the_event_loop(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, db_url: str
) -> None:
    import asyncio
    import sqlite3

    from storage.engine import make_engine
    from storage.rituals import RitualStore

    pid = person(mend)
    ritual(mend, pid)
    patient = make_engine(db_url, busy_timeout_ms=3000)  # the sweep's connections wait a while
    bot = app.bot
    assert isinstance(bot, MendBot)
    reminders = Reminders(RitualStore(patient, mend.cipher), Sender(bot, sleep=no_wait), mend.clock)
    path = db_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        sweeping = asyncio.create_task(reminders.sweep())
        for _ in range(20):  # the event loop keeps turning for everyone else
            await asyncio.sleep(0)
        assert not sweeping.done(), "the sweep waits for the lock, off the event loop"
        other.execute("ROLLBACK")
        report = await asyncio.wait_for(sweeping, timeout=30)
    finally:
        other.close()
        patient.dispose()
    assert report.sent == 1 and len(sent_to(request_log, ALEX)) == 1


async def test_the_quick_exit_reaches_back_to_a_reminder_sent_before_any_message(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock
) -> None:
    import json

    from tests.conftest import feed
    from tests.updates import text_update

    pid = person(mend)
    ritual(mend, pid)
    morning.advance(hours=49)  # whatever was said before is past what Telegram can delete
    ritual(mend, pid, at="10:00")
    morning.now = morning.now.replace(hour=9, minute=0)  # 10:00 Berlin: that one is due
    first_id = request_log._message_id + 1  # the id the fake Telegram gives the next message
    assert (await sweeper(mend, app).sweep()).sent >= 1, "reminders went out first"
    reminder_id = first_id
    request_log.clear()
    await feed(app, text_update(reminder_id + 40, ALEX, "/exit"))
    deletes = [c for c in request_log.calls if c.method == "deleteMessages"]
    ids = sorted(i for c in deletes for i in json.loads(str(c.params["message_ids"])))
    assert ids[0] == reminder_id and ids[-1] == reminder_id + 40


async def test_a_ritual_moved_to_a_new_time_is_reminded_then(
    mend: Mend, app: App, request_log: FakeRequest, morning: FakeClock, engine: Engine
) -> None:
    """08:00 Berlin: they move their coffee to 9:30 before it went out; it comes at 09:30."""
    pid = person(mend)
    ritual(mend, pid, "08:00")
    mend.handle("telegram", str(ALEX), Command("rituals"))
    mend.handle("telegram", str(ALEX), Choice("rituals.menu.time"))
    said = mend.handle("telegram", str(ALEX), Text("9.30")).replies
    assert "A coffee together, at 09:30 (every day)" in said[0].text
    with engine.connect() as conn:
        row = conn.execute(text("SELECT local_time, next_due_at FROM rituals")).one()
    assert row[0] == "09:30" and str(row[1]).startswith("2026-03-02 08:30"), row
    assert (await sweeper(mend, app).sweep()).sent == 0, "nothing at 08:00 any more"
    morning.advance(minutes=90)
    assert (await sweeper(mend, app).sweep()).sent == 1


def test_only_ones_own_ritual_can_be_changed(mend: Mend, morning: FakeClock) -> None:
    pid = person(mend)
    rid = ritual(mend, pid, "08:00")
    other = person(mend, user=6000)
    assert mend.rituals.schedule(other, rid) is None
    assert not mend.rituals.change(other, rid, "03:00", "0", morning.now)
    assert mend.rituals.schedule(pid, rid) == ("08:00", "0123456")


async def test_without_quiet_hours_a_snooze_still_waits_out_the_night(
    mend: Mend, app: App, request_log: FakeRequest, clock: FakeClock
) -> None:
    """No quiet hours set: "later" at 21:30 would land at 22:31, in the night: it waits."""
    clock.now = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 21:30 in Berlin
    pid = person(mend)
    ritual(mend, pid, "21:30")
    await sweeper(mend, app).sweep()
    keys = {k.rsplit(".", 1)[1]: k for _, k in request_log.sent(ALEX)[0].options}
    said = mend.handle("telegram", str(ALEX), Choice(keys["later"])).replies
    hour = next(o.key for o in said[0].options if o.key.endswith(".hour"))
    mend.handle("telegram", str(ALEX), Choice(hour))
    request_log.clear()
    clock.advance(minutes=61)
    await sweeper(mend, app).sweep()
    assert sent_to(request_log, ALEX) == []


async def test_without_quiet_hours_a_ritual_they_set_early_still_comes(
    mend: Mend, app: App, request_log: FakeRequest, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)  # 06:30 in Berlin, their own time
    pid = person(mend)
    ritual(mend, pid, "06:30")
    assert (await sweeper(mend, app).sweep()).sent == 1


async def test_moving_a_ritual_for_both_moves_only_ones_own_and_tells_the_partner_nothing(
    app: App, request_log: FakeRequest, engine: Engine
) -> None:
    from tests.bot.test_partners import ALEX as ALEX_T
    from tests.bot.test_partners import SAM, linked

    alex, sam, _ = await linked(app, request_log)
    for person in (alex, sam):
        await person.say("/settings")
        await person.press("zone")
        await person.say("Berlin")
        await person.press("yes")
        await person.press("close")
    await alex.say("/rituals")
    await alex.press("add")
    await alex.press("coffee")
    await alex.say("08:00")
    await alex.press("every")
    await alex.press("ours")
    await alex.say("/rituals")
    await alex.press("time")
    said = await alex.say("9:30")
    assert any("A coffee together, at 09:30" in s for s in said)
    assert request_log.sent(SAM) == [], "the partner hears nothing of it"
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.external_id, r.local_time FROM rituals r "
                "JOIN people p ON p.id = r.person_id ORDER BY p.external_id"
            )
        ).all()
    assert [(int(e), t) for e, t in rows] == [(ALEX_T, "09:30"), (SAM, "08:00")]
