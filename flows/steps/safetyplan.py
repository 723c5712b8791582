"""/safetyplan: a short plan made calmly, kept encrypted, shown whenever it is needed.

Five parts, any of them skippable: warning signs, what calms me, people I can reach, safe
places, professional contacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    answer,
    edit_menu,
    forget,
    journal,
    model_of,
    say,
    step,
    value_is,
)
from flows.core.step import Step

PARTS = ("signs", "calm", "people", "places", "pros")
EXISTING = "_existing"


def render_plan(parts: Sequence[tuple[str, str]]) -> str:
    labels = content.section("safetyplan.parts")
    given = dict(parts)
    return "\n\n".join(f"{labels[name]}:\n{given.get(name) or labels['empty']}" for name in PARTS)


def _show(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("show", {}, plan=turn.slots.get(EXISTING, ""))


def _review(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt(
        "review", {}, plan=render_plan([(p, turn.slots.get(p, "")) for p in PARTS])
    )


def _chain() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    following = [*PARTS[1:], "review"]
    for part, dest in zip(PARTS, following, strict=True):
        out += answer(part, dest, part, review="review")
        out += step("pick", part, dest, when=[value_is("skip")], do=[forget(part)], review="review")
    return out


_record = journal("safety_plan", PARTS)


def _keep(event: EventData) -> None:
    """Saved only with consent to keep words; without it, the plan is theirs to copy."""
    turn = model_of(event)
    if turn.profile.consented:
        _record(event)
        turn.say(content.text("safetyplan.saved"))
    else:
        plan = render_plan([(p, turn.slots.get(p, "")) for p in PARTS])
        turn.say(content.text("safetyplan.not_kept", plan=plan))


FLOW = Flow(
    name="safetyplan",
    version=1,
    # In a crisis nobody should have to go through a welcome first: the plan can be made
    # without consent, and is then shown to copy rather than kept.
    needs_consent=False,
    states=[
        State("signs"),
        State("calm"),
        State("people"),
        State("places"),
        State("pros"),
        State("review", render=_review),
        State("edit"),
        State("show", render=_show),
    ],
    transitions=[
        {
            "trigger": "pick",
            "source": "show",
            "dest": "signs",
            "conditions": value_is("update"),
            "before": forget(EXISTING),
        },
        {
            "trigger": "pick",
            "source": "show",
            "dest": END,
            "conditions": value_is("done"),
            "before": say("safetyplan.closed"),
        },
        *_chain(),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": _keep,
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("drop"),
            "before": say("safetyplan.dropped"),
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "signs",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "_editing"),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)

STEP = Step(flow=FLOW, name="safetyplan", command="safetyplan", place=160, kinds=("safety_plan",))
