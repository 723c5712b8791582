"""Partner mode with two people on Telegram: invite, join, share by choice, and boundaries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from telegram.ext import Application

from flows.core import content
from tests.bot.test_telegram import Person
from tests.conftest import FakeClock
from tests.fake_request import FakeRequest
from tests.updates import callback_update

App = Application[Any, Any, Any, Any, Any, Any]
ALEX, SAM, KIM = 3001, 3002, 3003
HONEST = "I felt scared when you came home late, because I need to know you are safe"


async def onboard_with(person: Person, start: str) -> list[str]:
    await person.say(start)
    await person.press("ok")
    await person.press("agree")
    await person.press("both")
    said = await person.press("safe")  # the link is made once they have said yes to Mend
    return said + await person.press("no")


async def invite(alex: Person, request: FakeRequest) -> str:
    said = await alex.say("/invite")
    link = next(w for w in said[-1].split() if "start=" in w)
    assert link.startswith("https://t.me/mend_test_bot?start=")
    return link.split("start=", 1)[1]


async def share_statement(alex: Person) -> list[str]:
    """Alex writes an honest statement and sends it, after the preview."""
    await alex.say("/reframe")
    await alex.say(HONEST)
    await alex.press("send")
    return await alex.press("send")


async def linked(app: App, request: FakeRequest) -> tuple[Person, Person, str]:
    await app.post_init(app)  # type: ignore[misc]
    alex, sam = Person(app, request, ALEX), Person(app, request, SAM)
    await alex.onboard()
    code = await invite(alex, request)
    said = await onboard_with(sam, f"/start {code}")
    assert content.text("partner", "linked") in said
    await alex.say("/ready")
    await sam.say("/ready")
    return alex, sam, code


async def test_invite_join_and_both_are_told(
    app: App, request_log: FakeRequest, engine: Engine
) -> None:
    await app.post_init(app)  # type: ignore[misc]
    alex, sam = Person(app, request_log, ALEX), Person(app, request_log, SAM)
    await alex.onboard()
    code = await invite(alex, request_log)
    assert len(code) >= 22, "at least 128 bits"
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT code_hash FROM invites")).scalar()
    assert stored and code not in str(stored), "only a hash is kept"
    await sam.say(f"/start {code}")
    for value in ("ok", "agree", "both"):
        await sam.press(value)
    said = await sam.press("safe")
    assert content.text("partner", "linked") in said
    to_alex = [c.text for c in request_log.sent(ALEX)]
    assert to_alex == [content.text("partner", "linked_inviter")]


async def test_a_used_own_or_expired_invite_changes_nothing(
    app: App, request_log: FakeRequest, clock: FakeClock, engine: Engine
) -> None:
    alex, _sam, code = await linked(app, request_log)
    kim = Person(app, request_log, KIM)
    said = await onboard_with(kim, f"/start {code}")
    assert content.text("partner", "cannot_join") in said, "single use"
    own = await invite(alex, request_log)
    said = await onboard_with(alex, f"/start {own}")
    assert (
        content.text("partner", "already") in said or content.text("partner", "own_invite") in said
    )
    fresh = await invite(alex, request_log)
    clock.advance(hours=73)
    said = await onboard_with(Person(app, request_log, 3004), f"/start {fresh}")
    assert content.text("partner", "cannot_join") in said, "expired after 72 hours"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pairs")).scalar() == 1


async def test_a_statement_is_shared_only_after_a_preview_and_can_be_answered(
    app: App, request_log: FakeRequest
) -> None:
    alex, sam, _ = await linked(app, request_log)
    await alex.say("/reframe")
    await alex.say(HONEST)
    said = await alex.press("send")
    assert "exactly what your partner will see" in said[-1]
    assert all(HONEST not in c.text for c in request_log.sent(SAM))
    said = await alex.press("send")
    assert said[-1] == content.text("partner", "sent")
    to_sam = request_log.sent(SAM)
    assert len(to_sam) == 1 and HONEST in to_sam[0].text
    hear = next(k for _, k in to_sam[0].options if k.endswith(".hear"))
    await sam.press("hear")
    assert [c.text for c in request_log.sent(ALEX)] == [content.text("partner.answers", "hear")]
    request_log.clear()
    kim = Person(app, request_log, KIM)
    await kim.onboard()
    request_log.clear()
    from tests.conftest import feed

    await feed(app, callback_update(Person.fresh_id(), KIM, hear))
    assert next(c.text for c in request_log.sent(KIM)) == content.text("partner", "gone")
    assert request_log.sent(ALEX) == [], "a forged button reaches nobody"


async def test_a_reflection_goes_back_after_its_own_preview(
    app: App, request_log: FakeRequest
) -> None:
    alex, sam, _ = await linked(app, request_log)
    await share_statement(alex)
    await sam.press("reflect")
    said = await sam.say("What I heard is that you were scared when I was late")
    assert "exactly what your partner will see" in said[-1]
    await sam.press("send")
    to_alex = [c.text for c in request_log.sent(ALEX)]
    assert len(to_alex) == 1 and "you were scared when I was late" in to_alex[0]


async def test_safety_outranks_sharing_and_the_partner_is_told_nothing(
    app: App, request_log: FakeRequest
) -> None:
    alex, sam, _ = await linked(app, request_log)
    await sam.say("he hits me when he drinks")  # Sam's screening flags abuse
    request_log.clear()
    await alex.say("/reframe")
    said = await alex.say(HONEST)
    keys = [k for c in request_log.sent(ALEX) for _, k in c.options]
    assert any(k.endswith(".save") for k in keys)
    if any(k.endswith(".send") for k in keys):
        await alex.press("send")
        said = await alex.press("send")
        assert said[-1] == content.text("partner", "paused")
    assert request_log.sent(SAM) == [], "nothing reaches Sam, and Alex is not told why"


async def test_unlink_tells_the_other_gently(app: App, request_log: FakeRequest) -> None:
    alex, sam, _ = await linked(app, request_log)
    request_log.clear()
    said = await sam.say("/unlink")
    assert said == [content.text("partner", "unlinked")]
    assert [c.text for c in request_log.sent(ALEX)] == [content.text("partner", "unlinked_other")]
    said = await alex.say("/unlink")
    assert said == [content.text("partner", "not_linked")]


async def test_delete_removes_the_link_and_what_was_shared(
    app: App, request_log: FakeRequest, engine: Engine
) -> None:
    from tests.conftest import feed

    alex, _sam, _ = await linked(app, request_log)
    await share_statement(alex)
    hear = next(k for c in request_log.sent(SAM) for _, k in c.options if k.endswith(".hear"))
    said = await alex.say("/delete")
    await alex.press("erase")
    assert [c.text for c in request_log.sent(SAM)] == [content.text("partner", "unlinked_other")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM shares")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM pairs")).scalar() == 0
    request_log.clear()
    await feed(app, callback_update(Person.fresh_id(), SAM, hear))
    assert content.text("partner", "gone") in [c.text for c in request_log.sent(SAM)]
    assert said


async def test_steps_for_two_wait_for_the_slower_partner(
    app: App, request_log: FakeRequest
) -> None:
    await app.post_init(app)  # type: ignore[misc]
    alex, sam = Person(app, request_log, ALEX), Person(app, request_log, SAM)
    await alex.onboard()
    code = await invite(alex, request_log)
    await onboard_with(sam, f"/start {code}")
    said = await alex.say("/listen")
    assert said[0] == content.text("pace", "ask")
    await alex.say("/ready")
    said = await alex.say("/listen")
    assert said[0] == content.text("pace", "waiting")
    await sam.say("/ready")
    said = await alex.say("/listen")
    assert content.text("pace", "waiting") not in said


async def test_check_in_together_shows_both_scores_only_when_both_shared(
    app: App, request_log: FakeRequest, clock: FakeClock
) -> None:
    alex, sam, _ = await linked(app, request_log)
    for person, score, share in ((alex, "4", "yes"), (sam, "2", "yes")):
        await person.say("/checkin")
        await person.press(score)
        said = await person.press("skip")
        assert "Only the number" in said[-1]
        await person.press(share)
    clock.advance(days=1)
    said = await alex.say("/checkin")
    assert "you 4, your partner 2" in said[0]
    said = await sam.say("/checkin")
    assert "you 2, your partner 4" in said[0]


async def test_a_shared_win_reaches_the_partner_and_both_progress(
    app: App, request_log: FakeRequest, mend: Any
) -> None:
    alex, _sam, _ = await linked(app, request_log)
    await alex.say("/win")
    await alex.press("laugh")
    await alex.press("share")
    assert any("We laughed together" in c.text for c in request_log.sent(SAM))
    assert mend.progress.progress(
        mend.store.load("telegram", str(SAM), mend.clock()).person_id
    ).wins


async def test_an_ours_ritual_reaches_both_and_is_kept_when_both_say_done(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock, engine: Engine
) -> None:
    from datetime import UTC, datetime

    from bot.mend_bot import MendBot
    from bot.reminders import Reminders
    from bot.sender import Sender

    alex, sam, _ = await linked(app, request_log)
    for person, zone in ((alex, "Berlin"), (sam, "New York")):
        await person.say("/settings")
        await person.press("zone")
        await person.say(zone)
        await person.press("yes")
        await person.press("close")
    await alex.say("/rituals")
    await alex.press("add")
    await alex.press("coffee")
    await alex.say("08:00")
    await alex.press("every")
    said = await alex.press("ours")
    assert "coffee" in said[-1].lower()
    assert any("for you both" in c.text for c in request_log.sent(SAM))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT person_id, next_due_at, pair_group FROM rituals")).all()
    assert len(rows) == 2 and rows[0].pair_group == rows[1].pair_group is not None
    assert rows[0].next_due_at != rows[1].next_due_at, "each at 08:00 in their own zone"

    async def no_wait(_: float) -> None:
        return None

    bot = app.bot
    assert isinstance(bot, MendBot)
    sweeper = Reminders(mend.rituals, Sender(bot, sleep=no_wait), mend.clock)
    clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 Berlin
    await sweeper.sweep()
    clock.now = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # 08:00 New York
    await sweeper.sweep()
    keys = {}
    for who in (ALEX, SAM):
        keys[who] = next(
            k for c in request_log.sent(who) for _, k in c.options if k.endswith(".done")
        )
    from tests.conftest import feed

    await feed(app, callback_update(Person.fresh_id(), ALEX, keys[ALEX]))
    pid = mend.store.load("telegram", str(ALEX), clock.now).person_id
    assert mend.progress.progress(pid).rituals_kept == (), "not yet: only one said done"
    await feed(app, callback_update(Person.fresh_id(), SAM, keys[SAM]))
    assert len(mend.progress.progress(pid).rituals_kept) == 1


async def draft_and_propose(alex: Person) -> None:
    await alex.say("/agreement")
    await alex.press("schedules")
    await alex.press("checkins")
    await alex.press("done")
    await alex.press("m1")
    await alex.press("half")
    await alex.press("save")
    await alex.press("propose")


async def test_a_co_signed_agreement_is_active_only_when_both_agree_and_is_reviewed_and_ended(
    app: App, request_log: FakeRequest, mend: Any, clock: FakeClock, engine: Engine
) -> None:

    from bot.mend_bot import MendBot
    from bot.reminders import Reminders
    from bot.sender import Sender

    alex, sam, _ = await linked(app, request_log)
    await draft_and_propose(alex)
    proposal = [c for c in request_log.sent(SAM) if "proposes a transparency agreement" in c.text]
    assert proposal and "We share our schedules" in proposal[0].text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM agreements")).scalar() == 0
    said = await sam.press("accept")
    assert "active, agreed by both of you" in said[-1]
    assert any("active, agreed by both" in c.text for c in request_log.sent(ALEX))
    said = await alex.say("/pauseagreement")
    assert said == [content.text("partner.agreement", "paused")]
    await alex.say("/pauseagreement")

    async def no_wait(_: float) -> None:
        return None

    bot = app.bot
    assert isinstance(bot, MendBot)
    sweeper = Reminders(
        mend.rituals, Sender(bot, sleep=no_wait), mend.clock, agreements=mend.agreements
    )
    request_log.clear()
    clock.advance(days=16)
    await sweeper.sweep()
    assert any("look at your transparency agreement" in c.text for c in request_log.sent(ALEX))
    assert any("look at your transparency agreement" in c.text for c in request_log.sent(SAM))
    request_log.clear()
    await sweeper.sweep()
    assert request_log.sent(ALEX) == [], "the review prompt comes once"
    clock.advance(days=20)
    await sweeper.sweep()
    assert any("privacy can become natural again" in c.text for c in request_log.sent(SAM))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM agreements")).scalar() == "ended"


async def test_a_proposal_can_be_declined_or_answered_with_a_suggestion(
    app: App, request_log: FakeRequest, engine: Engine
) -> None:
    alex, sam, _ = await linked(app, request_log)
    await draft_and_propose(alex)
    await sam.press("suggest")
    said = await sam.say("Maybe two weeks first, then we see")
    assert "exactly what your partner will see" in said[-1]
    await sam.press("send")
    assert any("Maybe two weeks first" in c.text for c in request_log.sent(ALEX))
    await draft_and_propose(alex)
    await sam.press("decline")
    assert [c.text for c in request_log.sent(ALEX)] == [
        content.text("partner.agreement", "declined")
    ]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM agreements")).scalar() == 0


async def test_a_replayed_answer_changes_nothing(app: App, request_log: FakeRequest) -> None:
    from tests.conftest import feed

    alex, sam, _ = await linked(app, request_log)
    await share_statement(alex)
    hear = next(k for c in request_log.sent(SAM) for _, k in c.options if k.endswith(".hear"))
    await sam.press("hear")
    request_log.clear()
    await feed(app, callback_update(Person.fresh_id(), SAM, hear))
    assert request_log.sent(ALEX) == []
    assert next(c.text for c in request_log.sent(SAM)) == content.text("partner", "answered")


async def test_a_paused_partner_cannot_answer_and_an_old_share_stays_with_the_old_link(
    app: App, request_log: FakeRequest, engine: Engine
) -> None:
    from tests.conftest import feed

    alex, sam, _ = await linked(app, request_log)
    await share_statement(alex)
    keys = {k.rsplit(".", 1)[1]: k for c in request_log.sent(SAM) for _, k in c.options}
    await sam.say("I want to kill myself")
    request_log.clear()
    await feed(app, callback_update(Person.fresh_id(), SAM, keys["hear"]))
    assert request_log.sent(ALEX) == [], "nothing crosses while Sam is paused"
    await feed(
        app, callback_update(Person.fresh_id(), SAM, keys["hear"].replace(".hear", ".suggest"))
    )
    await feed(app, callback_update(Person.fresh_id(), SAM, "p.99999999999999999999999.hear"))
    assert request_log.sent(ALEX) == []
    await sam.say("/resume")
    await sam.say("/unlink")
    kim = Person(app, request_log, KIM)
    await kim.onboard()
    code = await invite(kim, request_log)
    await onboard_with(sam, f"/start {code}")
    request_log.clear()
    await feed(app, callback_update(Person.fresh_id(), SAM, keys["reflect"]))
    assert request_log.sent(KIM) == [], "an ex-partner's message reaches no new partner"
    assert content.text("partner", "gone") in [c.text for c in request_log.sent(SAM)]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pairs")).scalar() == 1


async def test_the_sender_is_never_told_sent_when_it_did_not_arrive(
    app: App, request_log: FakeRequest
) -> None:
    alex, _, _ = await linked(app, request_log)
    await alex.say("/reframe")
    await alex.say(HONEST)
    await alex.press("send")  # the preview
    # Sam's chat refuses (they blocked the bot); the first send in this turn is theirs.
    request_log.fail["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    said = await alex.press("send")
    assert content.text("partner", "sent") not in said
    assert said[-1] == content.text("partner", "not_delivered")
