"""Where a person is in time, so every reminder comes at their own local hour.

A city, an IANA name or an offset; the confirmation shows their local time now, because
"is it 14:05 where you are?" catches a wrong guess better than any zone name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from transitions import EventData

from flows.core import calendar, content
from flows.core.contract import Reply
from flows.core.machine import END, Flow, State, Turn, model_of, value_is, value_of
from flows.core.step import Step
from flows.language import places

ZONE = "_zone"
LOCAL_NOW = "_local_now"


def known(event: EventData) -> bool:
    return places.parse_timezone(value_of(event)) is not None


def propose(event: EventData) -> None:
    turn = model_of(event)
    zone = places.parse_timezone(value_of(event)) or "UTC"
    turn.slots[ZONE] = zone
    turn.slots[LOCAL_NOW] = calendar.describe_now(zone, turn.now) if turn.now else ""


def proposed(event: EventData) -> bool:
    return bool(model_of(event).slots.get(ZONE))


def accept(event: EventData) -> None:
    turn = model_of(event)
    zone = turn.slots.get(ZONE)
    if zone:
        turn.profile = replace(turn.profile, timezone=zone)
        turn.say(content.text("timezone.set", zone=zone))


def confirm(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt(
        turn.state,
        {},
        section="timezone.confirm",
        zone=turn.slots.get(ZONE, ""),
        local_now=turn.slots.get(LOCAL_NOW, ""),
    )


def asking(ask: str, confirm_state: str, *, then: str) -> list[dict[str, Any]]:
    """Ask where, confirm with the local time now, then go on to `then` (any flow can ask)."""
    return [
        {
            "trigger": "text",
            "source": [ask, confirm_state],
            "dest": confirm_state,
            "conditions": known,
            "before": propose,
        },
        {
            "trigger": "pick",
            "source": confirm_state,
            "dest": then,
            "conditions": [value_is("yes"), proposed],
            "before": accept,
        },
        {"trigger": "pick", "source": confirm_state, "dest": ask, "conditions": value_is("no")},
    ]


FLOW = Flow(
    name="timezone",
    version=1,
    needs_consent=False,
    states=[State("ask"), State("confirm", render=confirm)],
    transitions=asking("ask", "confirm", then=END),
)

STEP = Step(flow=FLOW, name="timezone")
