"""Every free-text answer, in every state of every step, is screened before the step sees it.

Check-in notes, answers to daily prompts, journal entries, agreement terms, safety-plan
answers, partner replies and text typed while the crisis response is open all arrive as
`Text` in some state of some flow; each is walked here with a clear and a possible signal.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Conversation, Outcome, Profile, Text
from flows.language import classifier
from tests.flows.stand_in import StandIn

CLEAR = "i'm going to kill myself tonight"
POSSIBLE = "the bend on the a6 has a big oak, i keep looking at it"
WHERE = [(flow.name, state.name) for flow in coach.FLOWS.values() for state in flow.states]
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
PROFILE = Profile(consented=True, role="hurt", timezone="Europe/Berlin")


@pytest.fixture(autouse=True)
def stand_in() -> Iterator[None]:
    classifier.install(StandIn({CLEAR: 0.99, POSSIBLE: 0.7}))
    yield
    classifier.configure(True)


def _send(where: tuple[str, str], body: str) -> Outcome:
    flow, state = where
    conversation = Conversation(flow, state, {}, coach.FLOWS[flow].version)
    return coach.handle(PROFILE, conversation, Text(body), now=NOW)


@pytest.mark.parametrize("where", WHERE, ids=lambda w: ".".join(w))
def test_a_clear_signal_anywhere_brings_help(where: tuple[str, str]) -> None:
    outcome = _send(where, CLEAR)
    if where[0] == "safetyplan":
        # Writing a plan means writing about hard things: kept, with help right beside it.
        assert outcome.profile.paused == "danger_now" or outcome.conversation.flow == "safety"
        return
    assert outcome.conversation.flow == "safety", "the crisis response opens"
    assert outcome.profile.paused is not None


@pytest.mark.parametrize("where", WHERE, ids=lambda w: ".".join(w))
def test_a_possible_signal_anywhere_is_asked_about(where: tuple[str, str]) -> None:
    outcome = _send(where, POSSIBLE)
    if where[0] == "heavy":
        assert outcome.conversation.flow == "safety", "more heavy words while asked: help now"
        return
    if where[0] in ("safety", "safetyplan"):
        assert outcome.conversation.flow == where[0], "help is already open: no second question"
        return
    assert outcome.conversation.flow == "heavy"
    assert content.text("heavy.ask") in "\n".join(r.text for r in outcome.replies)


def test_free_text_inside_the_crisis_response_is_met_not_refused() -> None:
    classifier.install(StandIn())
    for state in ("check", "urgent", "ground", "after"):
        outcome = _send(("safety", state), "i just dont know what to do")
        said = "\n".join(r.text for r in outcome.replies)
        assert content.text("global", "pick_an_option") not in said
        assert outcome.replies[-1].options, "the choices stay in reach"
