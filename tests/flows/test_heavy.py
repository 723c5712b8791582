"""A possible signal asks once, inside the step, and keeps the person's place and words.

The model is replaced by a stand-in that hears exactly the phrases a test gives it, so these
tests are about the coach's behaviour, not about what one trained model happens to score.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from flows.core import content
from flows.core.contract import JournalRecord
from flows.language import classifier
from tests.flows.driver import Chat
from tests.flows.stand_in import StandIn

HEAVY = "i keep thinking about the drive to work and the big tree on the bend"
SURE = "wrote the kids letters just in case, work was fine"


@pytest.fixture(autouse=True)
def stand_in() -> Iterator[None]:
    # The rules still run first; a rule that fires is never questioned by this stand-in.
    classifier.install(StandIn({HEAVY: 0.7, SURE: 0.99}, default=0.5))
    yield
    classifier.configure(True)


def in_hurt() -> Chat:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    return chat


def asked() -> Chat:
    """In /hurt, just asked whether they are safe after a heavy first answer."""
    chat = in_hurt()
    chat.text(HEAVY)
    return chat


def test_a_possible_signal_asks_once_and_keeps_the_step() -> None:
    chat = asked()
    assert chat.where == ("heavy", "ask")
    assert content.text("heavy.ask") in chat.said
    assert chat.profile.paused is None, "asking is not a crisis pause"
    assert not chat.records


def test_safe_goes_on_with_their_words_exactly_where_they_were() -> None:
    chat = asked()
    chat.pick("safe")
    assert content.text("heavy.safe") in chat.said
    assert chat.where == ("hurt", "landed"), "their words answered the question they were on"
    chat.pick("skip")
    chat.pick("skip")
    chat.pick("save")
    assert chat.records == [JournalRecord("hurt", (("what", HEAVY),))]


@pytest.mark.parametrize("typed", ["1", "I'm safe, go on", "yes", "yeah im ok", "ok"])
def test_safe_can_be_typed(typed: str) -> None:
    chat = asked()
    chat.text(typed)
    assert chat.where == ("hurt", "landed")


@pytest.mark.parametrize(("answer", "state"), [("unsafe", "urgent"), ("support", "check")])
def test_not_safe_or_support_opens_the_full_response_and_sets_the_step_aside(
    answer: str, state: str
) -> None:
    chat = asked()
    chat.pick(answer)
    assert chat.where == ("safety", state), "'not safe' is not asked the same question again"
    assert chat.profile.paused == "self_harm"
    chat.pick("safe")
    chat.pick("resume")
    assert chat.where == ("hurt", "what"), "the step waits where it was"


def test_a_guess_of_abuse_pauses_but_never_moves_anyone_to_the_individual_track() -> None:
    classifier.install(StandIn({HEAVY: 0.7}, category="abuse"))
    chat = asked()
    chat.pick("unsafe")
    assert chat.profile.paused == "abuse"
    assert chat.profile.track == "couples"


@pytest.mark.parametrize("typed", ["2", "no", "not really", "i need help", "i'm not safe"])
def test_not_safe_can_be_typed(typed: str) -> None:
    chat = asked()
    chat.text(typed)
    assert chat.where == ("safety", "urgent")


@pytest.mark.parametrize(
    "typed",
    [
        "No worries, I'm fine",
        "I'm not in any danger, just venting",
        "It's not like that, I meant the long drive to work every day with no break",
    ],
)
def test_a_reply_that_is_not_an_answer_is_asked_again(typed: str) -> None:
    chat = asked()
    chat.text(typed)
    assert chat.where == ("heavy", "ask")
    assert chat.profile.paused is None


def test_anything_else_is_asked_again_kindly() -> None:
    chat = asked()
    chat.text("hmm")
    assert chat.where == ("heavy", "ask")
    assert content.section("heavy.ask")["hint"] in chat.said
    assert chat.last[-1].options, "the choices come again"


def test_a_clear_signal_from_the_model_is_the_full_response() -> None:
    chat = in_hurt()
    chat.text(SURE)
    assert chat.where == ("safety", "check")
    assert chat.profile.paused == "self_harm"


def test_a_clear_signal_while_asked_is_the_full_response() -> None:
    chat = asked()
    chat.text(SURE)
    assert chat.where == ("safety", "check")


def test_between_steps_the_check_comes_back_to_the_menu() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text(HEAVY)
    assert chat.where == ("heavy", "ask")
    chat.pick("safe")
    assert chat.conversation.idle
    assert chat.last[-1].options, "the menu of what to do next"


def test_the_question_says_nothing_of_scores_or_models() -> None:
    chat = asked()
    words = chat.said.lower()
    for secret in ("score", "model", "probab", "%", "classif"):
        assert secret not in words


def test_inside_the_crisis_response_a_possible_signal_asks_nothing_more() -> None:
    chat = in_hurt()
    chat.text(SURE)
    chat.text(HEAVY)
    assert chat.where[0] == "safety"


def test_a_rule_the_model_doubts_is_never_dropped_after_saying_safe() -> None:
    classifier.install(StandIn({HEAVY: 0.7}, default=0.01))  # doubts every rule hit
    chat = asked()
    chat.pick("safe")
    chat.text("I feel suicidal")
    assert chat.where == ("safety", "check"), "a rule spoke: help, not silence"


def test_their_words_are_kept_only_with_a_step() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text(HEAVY)
    assert "held" not in chat.conversation.slots


def test_a_step_that_changed_while_asked_begins_again_instead_of_breaking() -> None:
    chat = asked()
    saved = json.loads(chat.conversation.slots["saved"])
    saved["state"] = "renamed_state"
    chat.conversation.slots["saved"] = json.dumps(saved)
    chat.pick("safe")
    assert chat.conversation.idle


def test_after_saying_safe_they_are_not_asked_again_that_day() -> None:
    chat = asked()
    chat.pick("safe")
    assert chat.profile.safe_said_on == "2026-03-01"
    chat.text(HEAVY)  # venting more in the same step, the same day
    assert chat.where == ("hurt", "broke"), "no second question, the step goes on"


def test_a_new_day_asks_again_and_a_clear_signal_is_never_skipped() -> None:
    chat = asked()
    chat.pick("safe")
    chat.text(SURE)
    assert chat.where == ("safety", "check"), "a clear signal always brings help"
    chat = asked()
    chat.pick("safe")
    chat.now = chat.now + timedelta(days=1)
    chat.text(HEAVY)
    assert chat.where == ("heavy", "ask")


def test_a_clear_signal_while_asked_sets_aside_the_step_not_the_question() -> None:
    chat = asked()
    chat.text(SURE)
    chat.pick("safe")
    chat.pick("resume")
    assert chat.where == ("hurt", "what")


def test_after_a_crisis_today_a_later_signal_is_not_doubted() -> None:
    chat = in_hurt()
    chat.text(SURE)
    chat.pick("safe")
    chat.pick("resume")
    assert chat.where == ("hurt", "what")
    chat.text(HEAVY)
    assert chat.where == ("safety", "check"), "the full response, not the lighter question"
    chat.now = chat.now + timedelta(days=1)
    chat.pick("safe")
    chat.pick("resume")
    chat.text(HEAVY)
    assert chat.where == ("heavy", "ask"), "a new day: asked, as anyone would be"
