"""/selftrust: listen to your own judgement again, after trusting someone led to hurt.

Being let down by someone you trusted often leaves you doubting your own read of things, and
that doubt makes everything feel less steady. Small, concrete reflections — what your
instincts said, where you held a line, one small act of trusting yourself — rebuild it
better than reassurance, so the step asks for those and keeps them.
"""

from __future__ import annotations

from flows import content
from flows.contract import Reply
from flows.flow import (
    END,
    Flow,
    State,
    Turn,
    answer,
    edit_menu,
    forget,
    journal,
    say,
    step,
    value_is,
)

COMMAND = "selftrust"
ORDER = 40

PARTS = ("instinct", "held_line", "small_act")


def _review(flow: Flow, turn: Turn) -> Reply:
    skipped = content.text("selftrust.skipped")
    shown = {part: turn.slots.get(part) or skipped for part in PARTS}
    return flow.plain_prompt("review", turn.slots, **shown)


FLOW = Flow(
    name="selftrust",
    version=1,
    states=[
        State("instinct"),
        State("held_line"),
        State("small_act"),
        State("review", render=_review),
        State("edit"),
    ],
    transitions=[
        *answer("instinct", "held_line", "instinct", review="review"),
        *answer("held_line", "small_act", "held_line", review="review"),
        *step(
            "pick",
            "held_line",
            "small_act",
            when=[value_is("skip")],
            do=[forget("held_line")],
            review="review",
        ),
        *answer("small_act", "review", "small_act", review="review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [journal("selftrust", PARTS), say("selftrust.saved")],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "instinct",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "_editing"),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)
