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

import re
from typing import Final

from transitions import EventData

from flows.flow import END, Callback, Flow, State, model_of, value_is, value_of

SAVED: Final = "saved"
HELD: Final = "held"
RISK: Final = "risk"
NEXT: Final = {"safe": "replay", "unsafe": "crisis", "support": "crisis"}
"""What the coach does after each answer (the flow's `then`)."""

# Typed answers to "Are you safe right now?". Anything that says "not safe" in any way wins
# over a "yes" in the same words: asking again costs less than missing it.
_UNSAFE: Final = re.compile(
    r"\b(no|nope|nah|not|dont|don't|isn't|scared|afraid|unsafe|danger|help)\b", re.IGNORECASE
)
_SUPPORT: Final = re.compile(r"\b(support|talk|someone|numbers?|resources?)\b", re.IGNORECASE)
_SAFE: Final = re.compile(
    r"\b(yes|yeah|yep|yup|ya|ok|okay|fine|safe|good|alright|all right|go on|i'm ok|im ok)\b",
    re.IGNORECASE,
)


def typed(text: str) -> str | None:
    """The answer a typed reply gives, if it gives one."""
    if _UNSAFE.search(text):
        return "unsafe"
    if _SUPPORT.search(text):
        return "support"
    if _SAFE.search(text):
        return "safe"
    return None


def _typed_is(answer: str) -> Callback:
    def check(event: EventData) -> bool:
        return typed(value_of(event)) == answer

    return check


def _then(answer: str) -> Callback:
    def chain(event: EventData) -> None:
        model_of(event).slots["then"] = NEXT[answer]

    return chain


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
            "before": _then(answer),
        }
        for answer in NEXT
        for trigger, check in (("pick", value_is), ("text", _typed_is))
    ],
)
