"""A possible signal: "some of what you wrote sounds heavy — are you safe right now?"

The trained model sometimes hears risk the rules cannot confirm. A full crisis response to
every such message would stop coaching for people who were only venting, and silence would
miss people who are not safe. So the person is asked, once, directly, and chooses: safe
(their words go on to the step exactly where they were), not safe, or support (both open
the full crisis response). Nothing about scores or models is ever said.

The step they were in is set aside whole (slot `saved`) with their message (slot `held`);
the coach restores both. Slots are encrypted at rest like every answer.
"""

from __future__ import annotations

from typing import Final

from flows.core.machine import END, Flow, State, then, value_is
from flows.core.step import Step
from flows.language.safe_reply import ANSWERS, says

SAVED: Final = "saved"
HELD: Final = "held"
RISK: Final = "risk"
AFTER: Final = frozenset(ANSWERS)
"""The flow's `then` is the answer itself; the coach restores the step and acts on it."""

FLOW = Flow(
    name="heavy",
    version=1,
    needs_consent=False,
    states=[State("ask")],
    transitions=[
        {
            "trigger": trigger,
            "source": "ask",
            "dest": END,
            "conditions": check(answer),
            "before": then(answer),
        }
        for answer in ANSWERS
        for trigger, check in (("pick", value_is), ("text", says))
    ],
)

STEP = Step(flow=FLOW, name="heavy")
