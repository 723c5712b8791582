"""/listen: practise hearing your partner's side fully, and saying it back.

People rarely feel heard while the listener is preparing a defence, so the step has them
mirror the words first ("What I heard is…"), points out gently anything that sounds like a
reply, and names the feeling underneath — which can be acknowledged without agreeing. The
urge to interrupt is noticed rather than judged: seeing it is how it loosens.
"""

from __future__ import annotations

import re
from typing import Any

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply, Slots
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    answer,
    edit_menu,
    forget,
    has_words,
    journal,
    model_of,
    say,
    step,
    value_is,
    value_of,
)
from flows.core.rewrite import DRAFT, check_prompt, checked
from flows.core.step import Step
from flows.language.excuses import defences

PARTS = ("said", "reflection", "their_feeling", "urge")
SAVED = (*PARTS, "say_back")
FEELING_WORDS = 6

_REFLECTION_LEAD = re.compile(
    r"^\s*(?:what\s+i(?:'m|’m|\s+am)?\s+(?:hearing|heard|hear)\b(?:\s+(?:is|was))?|"
    r"i\s+(?:heard|hear)\b)[\s,:…]*(?:that\s+)?",
    re.I,
)
_FEELING_LEAD = re.compile(
    r"^\s*(?:(?:you|they|he|she)\s+(?:felt|feel|were|are|was|seemed|seem)|"
    r"felt|feel|feeling|seemed)\s+",
    re.I,
)
_NOT_A_FEELING = re.compile(r"^\s*(?:like|that|as\s+if|as\s+though)\b", re.I)
_TRAIL = re.compile(r"[\s.,;:!?…]+$")
_LOWER_FIRST = frozenset(
    (
        *("he", "she", "they", "you", "we", "it", "the", "a", "an", "my", "your", "our"),
        *("his", "her", "their", "this", "that", "there", "when", "how", "what"),
    )
)
_NO_THAT = frozenset(("that", "how", "what", "why", "whether"))


def tidy(value: str, lead: re.Pattern[str]) -> str:
    """Drop a lead-in the sentence already says and the end punctuation, so words fit inside.

    A first pronoun or article is lower-cased to sit mid-sentence; names keep their capitals.
    """
    text = value.strip()
    while True:
        shorter = lead.sub("", text, count=1)
        if shorter == text:
            break
        text = shorter
    text = _TRAIL.sub("", text).strip()
    if not text:
        return value.strip()
    first, _, rest = text.partition(" ")
    if first.casefold() in _LOWER_FIRST:
        text = first.lower() + (" " + rest if rest else "")
    return text


def _reflection(value: str) -> str:
    return tidy(value, _REFLECTION_LEAD)


def say_back(slots: Slots) -> str:
    """The line they could say to their partner, built from their own reflection."""
    heard = slots.get("reflection", "")
    first = heard.split(" ", 1)[0].casefold()
    if heard and first not in _NO_THAT:
        heard = f"that {heard}"
    return content.text(
        "listen.say_back", reflection=heard, their_feeling=slots.get("their_feeling", "")
    )


# --- the feeling they heard ----------------------------------------------------------------------


def _a_feeling(event: EventData) -> bool:
    """A feeling is a word or two; a longer thought gets a gentle nudge back to the word."""
    words = value_of(event)
    if len(words.split()) > FEELING_WORDS or _NOT_A_FEELING.match(tidy(words, _FEELING_LEAD)):
        model_of(event).hint = content.text("listen.their_feeling", "hint")
        return False
    return True


def _acknowledge(event: EventData) -> None:
    """Right after the feeling is named, show that it can be accepted without agreeing."""
    turn = model_of(event)
    turn.hint = content.text("listen.acknowledge", their_feeling=turn.slots["their_feeling"])


def _picked(event: EventData) -> None:
    label = content.options("listen.their_feeling").get(value_of(event), "")
    model_of(event).slots["their_feeling"] = label


def _typed(event: EventData) -> None:
    model_of(event).slots["their_feeling"] = tidy(value_of(event), _FEELING_LEAD)


def _feeling() -> list[dict[str, Any]]:
    offered = tuple(k for k in content.options("listen.their_feeling") if k != "other")
    return [
        *step(
            "pick",
            "their_feeling",
            "urge",
            when=[value_is(*offered)],
            do=[_picked, _acknowledge],
            review="review",
        ),
        {
            "trigger": "pick",
            "source": "their_feeling",
            "dest": "their_feeling_own",
            "conditions": value_is("other"),
        },
        *step(
            "text",
            ["their_feeling", "their_feeling_own"],
            "urge",
            when=[has_words, _a_feeling],
            do=[_typed, _acknowledge],
            review="review",
        ),
    ]


# --- review and saving ---------------------------------------------------------------------------


def _review(flow: Flow, turn: Turn) -> Reply:
    skipped = content.text("listen.skipped")
    shown = {part: turn.slots.get(part) or skipped for part in PARTS}
    return flow.plain_prompt("review", turn.slots, **shown, say_back=say_back(turn.slots))


def _compose(event: EventData) -> None:
    slots = model_of(event).slots
    slots["say_back"] = say_back(slots)


def _save() -> list[Callback]:
    return [_compose, journal("listen", SAVED), say("listen.saved")]


FLOW = Flow(
    name="listen",
    version=1,
    couples=True,
    states=[
        State("said"),
        State("reflection"),
        State("reflection_check", render=check_prompt("defences", defences)),
        State("their_feeling"),
        State("their_feeling_own"),
        State("urge"),
        State("review", render=_review),
        State("edit"),
    ],
    transitions=[
        *answer("said", "reflection", "said", review="review"),
        *checked("reflection", "their_feeling", defences, shape=_reflection),
        *_feeling(),
        *answer("urge", "review", "urge", review="review"),
        *step(
            "pick", "urge", "review", when=[value_is("skip")], do=[forget("urge")], review="review"
        ),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": _save(),
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "said",
            "conditions": value_is("restart"),
            "before": forget(*SAVED, DRAFT, "_editing"),
        },
        *edit_menu("edit", PARTS, "review"),
    ],
)

STEP = Step(
    flow=FLOW,
    name="listen",
    command="listen",
    place=30,
    on_map=True,
    kinds=("listen",),
    roles=("broke", "both"),
    topic="listen",
)
