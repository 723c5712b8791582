"""/grow: not back to how things were, but forward to something built on what you learned.

Trying to return to "normal" tends to bring back what broke; growth gives the pain some
meaning. So the step asks what was learned, what the next chapter could look like, and one
small step toward it — small enough to take this week.
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

COMMAND = "grow"
ORDER = 50

PARTS = ("learned", "next_chapter", "next_step")


def _review(flow: Flow, turn: Turn) -> Reply:
    skipped = content.text("grow.skipped")
    shown = {part: turn.slots.get(part) or skipped for part in PARTS}
    return flow.plain_prompt("review", turn.slots, **shown)


FLOW = Flow(
    name="grow",
    version=1,
    states=[
        State("learned"),
        State("next_chapter"),
        State("next_step"),
        State("review", render=_review),
        State("edit"),
    ],
    transitions=[
        *answer("learned", "next_chapter", "learned", review="review"),
        *answer("next_chapter", "next_step", "next_chapter", review="review"),
        *step(
            "pick",
            "next_chapter",
            "next_step",
            when=[value_is("skip")],
            do=[forget("next_chapter")],
            review="review",
        ),
        *answer("next_step", "review", "next_step", review="review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [journal("grow", PARTS), say("grow.saved")],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "learned",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "_editing"),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)
