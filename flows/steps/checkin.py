"""/checkin: one daily question — "How safe and close did you feel today?" — 1 to 5.

At most once a day: a second check-in the same day updates the first, so the picture in
/progress stays one point a day.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData

from flows import content
from flows.contract import CheckinRecord, Reply
from flows.flow import END, Flow, State, Turn, has_words, model_of, store, value_is, value_of

COMMAND = "checkin"
ORDER = 85
SCORES = ("1", "2", "3", "4", "5")
TODAY = "_today_score"


def _score(flow: Flow, turn: Turn) -> Reply:
    prompt = flow.plain_prompt("score", {})
    earlier = turn.slots.get(TODAY)
    if earlier:
        return Reply(
            content.text("checkin.score", "again", score=earlier) + "\n\n" + prompt.text,
            prompt.options,
        )
    return prompt


def _record(words: str | None, event: EventData) -> None:
    turn = model_of(event)
    score = int(turn.slots.get("score", "3"))
    turn.records.append(CheckinRecord(turn.today, score, words))
    turn.say(content.text("checkin.saved"))


def _with_words(event: EventData) -> None:
    _record(value_of(event).strip()[:500], event)


def _without_words(event: EventData) -> None:
    _record(None, event)


def _prepare(memory: Any, today: str) -> dict[str, str]:
    earlier = memory.checkin_on(today) if memory is not None and today else None
    return {TODAY: str(earlier)} if earlier is not None else {}


FLOW = Flow(
    name="checkin",
    version=1,
    prepare=_prepare,
    states=[State("score", render=_score), State("words")],
    transitions=[
        {
            "trigger": "pick",
            "source": "score",
            "dest": "words",
            "conditions": value_is(*SCORES),
            "before": store("score"),
        },
        {
            "trigger": "text",
            "source": "score",
            "dest": "words",
            "conditions": lambda e: value_of(e).strip() in SCORES,
            "before": store("score"),
        },
        {
            "trigger": "text",
            "source": "words",
            "dest": END,
            "conditions": has_words,
            "before": _with_words,
        },
        {
            "trigger": "pick",
            "source": "words",
            "dest": END,
            "conditions": value_is("skip"),
            "before": _without_words,
        },
    ],
)
