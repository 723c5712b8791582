"""/win: log a small win in one tap or a few words ("the fight that didn't happen").

A linked partner can be shown the win too, if the person chooses; both then see it in
/progress.
"""

from __future__ import annotations

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import JournalRecord, PartnerRecord, Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    has_words,
    model_of,
    say,
    value_is,
    value_of,
)
from flows.core.step import Step


def _quick(event: EventData) -> bool:
    return value_of(event) in content.options("win.ask")


def _keep(words: str, event: EventData) -> None:
    turn = model_of(event)
    turn.slots["win"] = words.strip()[:500]
    turn.records.append(JournalRecord("win", (("win", turn.slots["win"]),)))
    turn.say(content.text("win.saved" if policy.for_two(turn.profile) else "win.saved_alone"))


def _keep_quick(event: EventData) -> None:
    _keep(content.options("win.ask")[value_of(event)], event)


def _keep_typed(event: EventData) -> None:
    _keep(value_of(event), event)


def _can_share(event: EventData) -> bool:
    return policy.may_share(model_of(event).profile)


def _share(event: EventData) -> None:
    turn = model_of(event)
    turn.records.append(PartnerRecord("share", kind="win", text=turn.slots.get("win", "")))


def _saving(trigger: str, when: object, do: object) -> list[dict[str, object]]:
    return [
        {
            "trigger": trigger,
            "source": "ask",
            "dest": "offer",
            "conditions": [when, _can_share],
            "before": do,
        },
        {"trigger": trigger, "source": "ask", "dest": END, "conditions": when, "before": do},
    ]


def _offer(flow: Flow, turn: Turn) -> Reply:
    """The exact words the partner would see, before anything is sent."""
    return flow.plain_prompt("offer", {}, win=turn.slots.get("win", ""))


FLOW = Flow(
    name="win",
    version=2,
    states=[State("ask"), State("offer", render=_offer)],
    transitions=[
        *_saving("pick", _quick, _keep_quick),
        *_saving("text", has_words, _keep_typed),
        {
            "trigger": "pick",
            "source": "offer",
            "dest": END,
            "conditions": value_is("share"),
            "before": _share,
        },
        {
            "trigger": "pick",
            "source": "offer",
            "dest": END,
            "conditions": value_is("keep"),
            "before": say("win.kept"),
        },
    ],
)

STEP = Step(
    flow=FLOW,
    name="win",
    command="win",
    place=100,
    on_map=True,
    kinds=("win",),
    roles=("hurt", "broke"),
    topic="wins",
)
