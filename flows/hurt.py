"""/hurt: name what happened, how it landed, and what it broke — then keep it or not.

Nothing here asks the person to forgive; the step ends with their words safely kept.
"""

from __future__ import annotations

from typing import Any

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

PARTS = ("what", "landed", "broke")


def _review(flow: Flow, turn: Turn) -> Reply:
    skipped = content.text("hurt.skipped")
    shown = {part: turn.slots.get(part) or skipped for part in PARTS}
    return flow.plain_prompt("review", turn.slots, **shown)


def _skip(source: str, dest: str) -> list[dict[str, Any]]:
    return step("pick", source, dest, when=[value_is("skip")], do=[forget(source)], review="review")


FLOW = Flow(
    name="hurt",
    version=1,
    states=[
        State("what"),
        State("landed"),
        State("broke"),
        State("review", render=_review),
        State("edit"),
    ],
    transitions=[
        *answer("what", "landed", "what", review="review"),
        *answer("landed", "broke", "landed", review="review"),
        *_skip("landed", "broke"),
        *answer("broke", "review", "broke", review="review"),
        *_skip("broke", "review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [journal("hurt", PARTS), say("hurt.saved")],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "what",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "_editing"),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)
