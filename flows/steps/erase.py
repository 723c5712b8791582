"""/delete: erase everything stored about a person, after one clear confirmation."""

from __future__ import annotations

from transitions import EventData

from flows.core.contract import EraseRecord
from flows.core.machine import END, Flow, State, model_of, say, value_is
from flows.core.step import Step


def _erase(event: EventData) -> None:
    model_of(event).records.append(EraseRecord())


FLOW = Flow(
    name="erase",
    version=1,
    needs_consent=False,
    states=[State("confirm")],
    transitions=[
        {
            "trigger": "pick",
            "source": "confirm",
            "dest": END,
            "conditions": value_is("erase"),
            "before": [_erase, say("erase.done")],
        },
        {
            "trigger": "pick",
            "source": "confirm",
            "dest": END,
            "conditions": value_is("keep"),
            "before": say("erase.kept"),
        },
    ],
)

STEP = Step(flow=FLOW, name="erase", command="delete", place=170)
