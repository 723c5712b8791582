"""/own: say plainly what you did and how it hurt, with no excuses, and what will change.

An apology carrying a reason ("but I was stressed", "you made me") is usually heard as a
defence, so each part is read for excuses and deflections, named kindly, and the person
chooses to rewrite or keep it. Owning it is about them seeing the impact, not about being
forgiven; the step never asks for forgiveness and never promises it.

What will change is asked about once more when it is vague ("be better") or a sweeping
promise ("I'll be perfect from now on"): a big promise is hard to keep and hard to believe
right now, and one thing to do this week is worth more. The second answer is kept. Words
with an excuse in them are checked for that first: one question at a time.
"""

from __future__ import annotations

from transitions import EventData

from flows.core import content, heard
from flows.core.contract import Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    edit_menu,
    forget,
    journal,
    say,
    value_is,
    value_of,
)
from flows.core.rewrite import DRAFT, check_prompt, checked
from flows.core.step import Step
from flows.language.excuses import excuses

PARTS = ("did", "impact", "will_change")


def _did(flow: Flow, turn: Turn) -> Reply:
    """The first question; someone who said they were the one hurt is told who it is for."""
    asked = flow.plain_prompt("did", turn.slots)
    if turn.profile.role != "hurt":
        return asked
    return Reply(f"{content.text('own.for_broke')}\n\n{asked.text}", asked.options)


_check = check_prompt("excuses", excuses)


def no_excuse(event: EventData) -> bool:
    """Words with an excuse are checked for that first; one question at a time."""
    return not excuses(value_of(event))


FLOW = Flow(
    name="own",
    reconciling=True,
    version=1,
    states=[
        State("did", render=_did),
        State("did_check", render=_check),
        State("impact"),
        State("impact_check", render=_check),
        State("will_change"),
        State("will_change_check", render=_check),
        State(heard.again("will_change"), render=heard.again_prompt),
        State(f"{heard.again('will_change')}_check", render=_check),
        State("review"),
        State("edit"),
    ],
    transitions=[
        *checked("did", "impact", excuses),
        *checked("impact", "will_change", excuses),
        *heard.follow_up("will_change", when=[no_excuse]),
        *checked("will_change", "review", excuses),
        *checked(heard.again("will_change"), "review", excuses, slot="will_change"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [journal("own", PARTS), say("own.saved")],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "did",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, DRAFT, "_editing", heard.AGAIN, heard.HEARD),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)

STEP = Step(
    flow=FLOW,
    name="own",
    command="own",
    place=40,
    on_map=True,
    kinds=("own",),
    roles=("broke",),
    topic="own",
)
