"""/trigger: when old pain flares, slow down, name it calmly, and say what you need.

A trigger is a sign of a wound still healing, not a failure, so the step starts with an
optional pause to breathe, then walks through what happened, the old pain it touched, what
is needed now, and whether to ask for reassurance or for space. It ends with a message in
the person's own words that they may send — or not; nothing here pushes them to.

Where being with the partner is not safe (the individual track) or coaching is paused after
a crisis, the step stays a private one: no asking the partner for anything, and the words
are framed as a note to oneself.
"""

from __future__ import annotations

import re
from typing import Any

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import Profile, Reply, Slots
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    edit_menu,
    editing,
    forget,
    has_words,
    journal,
    model_of,
    step,
    store,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.steps.listen import tidy

PARTS = ("happened", "old_pain", "need_now", "ask")
SAVED = ("happened", "old_pain", "need_now", "message")
ASKS = ("reassure", "space", "neither")

_HAPPENED_LEAD = re.compile(
    r"^\s*(?:i\s+(?:just\s+)?(?:got|was|felt|feel|am|'m|’m)\s+triggered"
    r"(?:\s+(?:just\s+now|again))?(?:\s+(?:when|because|as))?|just\s+now,?|when|whenever)\s+",
    re.I,
)
_PAIN_LEAD = re.compile(
    r"^\s*(?:it\s+)?(?:reminded|reminds|took|takes)\s+me\s+(?:of|back\s+to)\s+", re.I
)
_NEED_LEAD = re.compile(
    r"^\s*(?:right\s+now,?\s+)?(?:i\s+)?(?:need|want|would\s+like|'d\s+like|’d\s+like)\s+", re.I
)


def for_two(profile: Profile) -> bool:
    """Whether asking the partner for something belongs in this step for this person."""
    return policy.for_two(profile)


def message(slots: Slots, *, ask: bool = True) -> str:
    """Their answers joined into something they could send, skipping what they left out."""
    lines = [
        content.text("trigger.message", part, **slots)
        for part in ("happened", "old_pain", "need_now")
        if slots.get(part)
    ]
    if ask and slots.get("ask") in ("reassure", "space"):
        lines.append(content.text("trigger.message", slots["ask"]))
    return " ".join(lines)


# --- conditions and actions ----------------------------------------------------------------------


def _together(event: EventData) -> bool:
    return for_two(model_of(event).profile)


def _alone(event: EventData) -> bool:
    return not for_two(model_of(event).profile)


def _tidied(slot: str, lead: re.Pattern[str]) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[slot] = tidy(value_of(event), lead)

    return keep


def _picked_need(event: EventData) -> None:
    label = content.options("trigger.need_now").get(value_of(event), "")
    model_of(event).slots["need_now"] = label


def _compose(event: EventData) -> None:
    turn = model_of(event)
    turn.slots["message"] = message(turn.slots, ask=for_two(turn.profile))


def _saved(event: EventData) -> None:
    """The message again on its own, so it is easy to copy; only where a partner is in view."""
    turn = model_of(event)
    if for_two(turn.profile):
        turn.say(content.text("trigger.saved"))
        turn.say(turn.slots["message"])
    else:
        turn.say(content.text("trigger.saved_self"))


# --- prompts -------------------------------------------------------------------------------------


def _review(flow: Flow, turn: Turn) -> Reply:
    together = for_two(turn.profile)
    return flow.plain_prompt(
        "review",
        turn.slots,
        section=None if together else "review_self",
        message=message(turn.slots, ask=together),
    )


def _edit(flow: Flow, turn: Turn) -> Reply:
    """The parts to change; what to ask the partner is offered only where that belongs."""
    shown = flow.plain_prompt("edit", turn.slots)
    if for_two(turn.profile):
        return shown
    asked = flow.key("edit", "ask")
    return Reply(shown.text, tuple(o for o in shown.options if o.key != asked))


# --- transitions ---------------------------------------------------------------------------------


def _need() -> list[dict[str, Any]]:
    """A need offered as buttons, "something else" to type one, or typed straight away.

    Then the question of what to ask for — unless the partner is not part of this step.
    """
    offered = tuple(k for k in content.options("trigger.need_now") if k != "other")
    out: list[dict[str, Any]] = [
        {
            "trigger": "pick",
            "source": "need_now",
            "dest": "need_now_own",
            "conditions": value_is("other"),
        }
    ]
    for dest, who in (("ask", _together), ("review", _alone)):
        out += step(
            "pick",
            "need_now",
            dest,
            when=[value_is(*offered), who],
            do=[_picked_need],
            review="review",
        )
        out += step(
            "text",
            ["need_now", "need_now_own"],
            dest,
            when=[has_words, who],
            do=[_tidied("need_now", _NEED_LEAD)],
            review="review",
        )
    return out


FLOW = Flow(
    name="trigger",
    version=1,
    states=[
        State("pause"),
        State("breathe"),
        State("happened"),
        State("old_pain"),
        State("need_now"),
        State("need_now_own"),
        State("ask"),
        State("review", render=_review),
        State("edit", render=_edit),
    ],
    transitions=[
        {
            "trigger": "pick",
            "source": "pause",
            "dest": "breathe",
            "conditions": value_is("breathe"),
        },
        {
            "trigger": "pick",
            "source": "pause",
            "dest": "happened",
            "conditions": value_is("straight"),
        },
        {
            "trigger": "pick",
            "source": "breathe",
            "dest": "happened",
            "conditions": value_is("ready"),
        },
        *step(
            "text",
            "happened",
            "old_pain",
            when=[has_words],
            do=[_tidied("happened", _HAPPENED_LEAD)],
            review="review",
        ),
        *step(
            "text",
            "old_pain",
            "need_now",
            when=[has_words],
            do=[_tidied("old_pain", _PAIN_LEAD)],
            review="review",
        ),
        *step(
            "pick",
            "old_pain",
            "need_now",
            when=[value_is("skip")],
            do=[forget("old_pain")],
            review="review",
        ),
        *_need(),
        *step("pick", "ask", "review", when=[value_is(*ASKS)], do=[store("ask")], review="review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [_compose, journal("trigger", SAVED), _saved],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "happened",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "message", "_editing"),
        },
        *edit_menu("edit", PARTS[:3], "review"),
        {
            "trigger": "pick",
            "source": "edit",
            "dest": "ask",
            "conditions": [value_is("ask"), _together],
            "before": editing,
        },
    ],
)

STEP = Step(
    flow=FLOW,
    name="trigger",
    command="trigger",
    place=70,
    on_map=True,
    kinds=("trigger",),
    roles=("hurt",),
    topic="trigger",
)
