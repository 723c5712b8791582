"""/checkin: one daily question — "How safe and close did you feel today?" — 1 to 5.

At most once a day: a second check-in the same day updates the first, so the picture in
/progress stays one point a day. A linked partner may see the score (never the words) if the
person chooses; when both chose to share on a day, each sees both scores the next time.

A note is met with a few words said back (their feeling words, or what made the day hard).
A low score (1–2) or a hard note ("couldn't stop picturing them together") is not closed
with a plain "checked in": it gets care and a next step — /trigger for a wave of it, /safety
if they are not safe.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import CheckinRecord, Memory, Profile, Reply
from flows.core.heard import Listen, say_back
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    has_words,
    model_of,
    store,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language import gist

SCORES = ("1", "2", "3", "4", "5")
LOW = 2
"""A score this low or lower is met with care and a next step, whatever the note says."""
NOTE = Listen(("feelings", "hard"), fallback="note")
TODAY = "_today_score"
TOGETHER = "_together"


def _score(flow: Flow, turn: Turn) -> Reply:
    prompt = flow.plain_prompt("score", {})
    if not policy.for_two(turn.profile):  # "close" to a partner is not the question now
        prompt = Reply(content.text("checkin.score", "alone"), prompt.options)
    lead = [turn.slots[TOGETHER]] if turn.slots.get(TOGETHER) else []
    earlier = turn.slots.get(TODAY)
    if earlier:
        lead.append(content.text("checkin.score", "again", score=earlier))
    return Reply("\n\n".join([*lead, prompt.text]), prompt.options) if lead else prompt


def _can_share(event: EventData) -> bool:
    return policy.may_share(model_of(event).profile)


def needs_care(score: int, words: str | None) -> bool:
    """A low score, or a note about a hard day, asks for more than "checked in"."""
    return score <= LOW or (bool(words) and gist.read(words or "").is_hard)


def _record(event: EventData, shared: bool = False) -> None:
    turn = model_of(event)
    score = int(turn.slots.get("score", "3"))
    words = turn.slots.get("words") or None
    turn.records.append(CheckinRecord(turn.today, score, words, shared))
    turn.say(content.text("checkin.care" if needs_care(score, words) else "checkin.saved"))


def _keep_words(event: EventData) -> None:
    model_of(event).slots["words"] = value_of(event).strip()[:500]


_say_back = say_back(NOTE)


def _shared(event: EventData) -> None:
    _record(event, shared=True)


def _prepare(memory: Memory, today: str, profile: Profile) -> dict[str, str]:
    slots: dict[str, str] = {}
    if not today:
        return slots
    earlier = memory.checkin_on(today)
    if earlier is not None:
        slots[TODAY] = str(earlier)
    both = memory.together(today)
    if both is not None and policy.show_together(profile, both.partner_safe):
        slots[TOGETHER] = content.text(
            "checkin.together", day=both.day, mine=str(both.mine), theirs=str(both.theirs)
        )
    return slots


def _ends(source: str, trigger: str, when: list[Any], do: list[Any]) -> list[dict[str, Any]]:
    """Either ask whether to share the score (when linked), or save at once."""
    return [
        {
            "trigger": trigger,
            "source": source,
            "dest": "share",
            "conditions": [*when, _can_share],
            "before": do,
        },
        {
            "trigger": trigger,
            "source": source,
            "dest": END,
            "conditions": when,
            "before": [*do, _record],
        },
    ]


FLOW = Flow(
    name="checkin",
    version=2,
    prepare=_prepare,
    states=[State("score", render=_score), State("words"), State("share")],
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
        *_ends("words", "text", [has_words], [_keep_words, _say_back]),
        *_ends("words", "pick", [value_is("skip")], []),
        {
            "trigger": "pick",
            "source": "share",
            "dest": END,
            "conditions": value_is("yes"),
            "before": _shared,
        },
        {
            "trigger": "pick",
            "source": "share",
            "dest": END,
            "conditions": value_is("no"),
            "before": _record,
        },
    ],
)

STEP = Step(flow=FLOW, name="checkin", command="checkin", place=110, on_map=True)
