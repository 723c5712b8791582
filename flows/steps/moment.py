"""The daily moment offered at the end of /start: a time zone, a time, one daily check-in."""

from __future__ import annotations

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply, RitualRecord
from flows.core.machine import END, Flow, State, Turn, model_of, say, value_is, value_of
from flows.core.step import Step
from flows.language import times
from flows.steps import timezone
from flows.steps.rituals import ALL_DAYS


def _has_zone(event: EventData) -> bool:
    return bool(model_of(event).profile.timezone)


def _a_time(event: EventData) -> bool:
    return times.parse_time(value_of(event)) is not None


def _create(event: EventData) -> None:
    turn = model_of(event)
    parsed = times.parse_time(value_of(event))
    if parsed is None:
        return
    at = parsed.strftime("%H:%M")
    turn.records.append(RitualRecord("checkin", None, at, ALL_DAYS))
    turn.say(content.text("moment.done", time=at))


def _ask_zone(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt(turn.state, {}, section="timezone.ask")


FLOW = Flow(
    name="moment",
    stores=True,
    version=1,
    states=[
        State("offer"),
        State("zone", render=_ask_zone),
        State("confirm", render=timezone.confirm),
        State("time", numbers_are_answers=True),
    ],
    transitions=[
        {
            "trigger": "pick",
            "source": "offer",
            "dest": "time",
            "conditions": [value_is("yes"), _has_zone],
        },
        {"trigger": "pick", "source": "offer", "dest": "zone", "conditions": value_is("yes")},
        {
            "trigger": "pick",
            "source": "offer",
            "dest": END,
            "conditions": value_is("no"),
            "before": say("moment.no"),
        },
        *timezone.asking("zone", "confirm", then="time"),
        *(
            {
                "trigger": trigger,
                "source": "time",
                "dest": END,
                "conditions": _a_time,
                "before": _create,
            }
            for trigger in ("pick", "text")
        ),
    ],
)

STEP = Step(flow=FLOW, name="moment")
