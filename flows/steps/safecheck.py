""" "Safe to repair?": asked at the start and every two weeks before exercises for two.

Where there is fear, violence, threats or control, couples exercises can put someone at
risk, so the answer moves them to an individual track, said kindly and without judgement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from transitions import EventData

from flows.core import content
from flows.core.contract import Profile, Reply
from flows.core.machine import END, Callback, Flow, State, Turn, model_of, value_is
from flows.core.step import Step

EVERY_DAYS = 14


def due(profile: Profile, today: str) -> bool:
    """Whether to ask again before an exercise for two (never without knowing the date)."""
    if not today:
        return False
    if not profile.safety_checked_on:
        return True
    try:
        last = date.fromisoformat(profile.safety_checked_on)
        return (date.fromisoformat(today) - last).days >= EVERY_DAYS
    except ValueError:
        return True


def answer(track: str | None, copy: str) -> Callback:
    def record(event: EventData) -> None:
        turn = model_of(event)
        profile = replace(turn.profile, safety_checked_on=turn.today or None)
        if track == "individual":
            profile = replace(profile, track="individual")
        # "Safe" never lifts the individual track by itself: it may have come from what the
        # person told us earlier (signs of abuse), and couples exercises could put them at risk.
        turn.profile = profile
        turn.say(content.text(f"safecheck.{copy}"))

    return record


ANSWERS: dict[str, tuple[str | None, str]] = {
    "safe": ("couples", "safe"),
    "unsafe": ("individual", "unsafe"),
    "skip": (None, "skip"),
}
"""Each answer: the track it sets (None keeps the current one), and the copy that replies."""


def ask(flow: Flow, turn: Turn) -> Reply:
    """The question, wherever it is asked (here, and at the end of /start)."""
    return flow.plain_prompt(turn.state, {}, section="safecheck.ask")


FLOW = Flow(
    name="safecheck",
    version=1,
    needs_consent=False,
    states=[State("ask", render=ask)],
    transitions=[
        {
            "trigger": "pick",
            "source": "ask",
            "dest": END,
            "conditions": value_is(value),
            "before": answer(track, copy),
        }
        for value, (track, copy) in ANSWERS.items()
    ],
)

STEP = Step(flow=FLOW, name="safecheck")
