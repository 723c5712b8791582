"""/forgive: where am I with forgiveness today? A number, a few words if any, and no verdict.

Forgiveness grows slowly and not in a straight line; pushing it tends to make it brittle.
So the scale starts at "not at all, and that's okay", the words are optional, and the look
back shows how the number has moved without ever calling a direction better or worse.

While coaching is paused after a crisis, or on the individual track (DESIGN §4a), this step
rests (`reconciling`): asking about forgiveness then could read as "make peace with it",
which is the last thing we want to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from transitions import EventData

from flows.core import content
from flows.core.contract import JournalItem, JournalRecord, Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    answer,
    editing,
    forget,
    model_of,
    step,
    value_is,
    value_of,
)
from flows.core.step import Step

KIND = "forgive"
SCORES = ("1", "2", "3", "4", "5")
BARS = {"1": "▁", "2": "▂", "3": "▃", "4": "▅", "5": "▇"}
SHOWN = 8
"""How many check-ins the look back shows, today's included."""
SCAN = 100
"""How many recent journal entries (of every kind) to look through for past check-ins."""


class _Journal(Protocol):
    def journal(self, limit: int) -> Sequence[JournalItem]: ...


def past(memory: _Journal) -> list[tuple[str, str]]:
    """Earlier check-ins as (date, score), newest first.

    Entries whose score is not one of ours are skipped rather than guessed at.
    """
    found: list[tuple[str, str]] = []
    for item in memory.journal(SCAN):
        if item.kind != KIND:
            continue
        score = dict(item.parts).get("score", "")
        if score in BARS:
            found.append((item.created_on, score))
    return found


def sparkline(scores: Sequence[str]) -> str:
    return "".join(BARS[s] for s in scores if s in BARS)


def look_back(earlier: Sequence[tuple[str, str]], score: str) -> str:
    """Today's number beside the ones before it, oldest first, with one neutral sentence."""
    if not earlier:
        return content.text("forgive.look_back", "first")
    shown = [*reversed(earlier[: SHOWN - 1]), (content.text("forgive.look_back", "today"), score)]
    lines = [
        content.text("forgive.look_back", count=str(len(shown))),
        sparkline([s for _, s in shown]),
        "",
        *(f"{BARS[s]} {s}  {when}" for when, s in shown),
        "",
        content.text("forgive.look_back", "neutral"),
    ]
    return "\n".join(lines)


# --- conditions and actions ------------------------------------------------------------------


def _save(event: EventData) -> None:
    turn = model_of(event)
    score = turn.slots.get("score", "")
    parts = [("score", score)]
    if turn.slots.get("words"):
        parts.append(("words", turn.slots["words"]))
    turn.records.append(JournalRecord(KIND, tuple(parts)))
    turn.say(content.text("forgive.saved"))
    turn.say(look_back(past(turn.memory), score))


def _drop(event: EventData) -> None:
    model_of(event).say(content.text("forgive.dropped"))


def _keep_score(event: EventData) -> None:
    model_of(event).slots["score"] = value_of(event)


# --- prompts ---------------------------------------------------------------------------------


def _review(flow: Flow, turn: Turn) -> Reply:
    labels = content.options("forgive.score")
    words = turn.slots.get("words") or content.text("forgive.review", "no_words")
    return flow.plain_prompt(
        "review", {}, label=labels.get(turn.slots.get("score", ""), ""), words=words
    )


def _transitions() -> list[dict[str, Any]]:
    return [
        *step(
            "pick",
            "score",
            "words",
            when=[value_is(*SCORES)],
            do=[_keep_score],
            review="review",
        ),
        *answer("words", "review", "words"),
        *step("pick", "words", "review", when=[value_is("skip")], do=[forget("words")]),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": _save,
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("drop"),
            "before": _drop,
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "score",
            "conditions": value_is("score"),
            "before": editing,
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "words",
            "conditions": value_is("words"),
        },
    ]


FLOW = Flow(
    name="forgive",
    reconciling=True,
    version=1,
    states=[
        State("score"),
        State("words"),
        State("review", render=_review),
    ],
    transitions=_transitions(),
)

STEP = Step(flow=FLOW, name="forgive", command="forgive", place=50, on_map=True, kinds=("forgive",))
