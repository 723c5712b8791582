"""Where a person is in time, so every reminder comes at their own local hour.

A city (any the gazetteer knows, in a sentence or not), a country with one clock, an IANA
name or an offset; the confirmation shows their local time now, because "is it 14:05 where
you are?" catches a wrong guess better than any zone name. A name shared by places on
different clocks ("Manchester", "USA") is asked about, in the confirm state itself, so every
flow that asks where someone is (`asking`) gets the question without a state of its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from transitions import EventData

from flows.core import calendar, content
from flows.core.contract import Option, Reply
from flows.core.machine import END, Flow, State, Turn, model_of, value_is, value_of
from flows.core.step import Step
from flows.language import places

ZONE = "_zone"
LOCAL_NOW = "_local_now"
WHICH = "_which"  # the folded words of a name with several clocks, while we ask which one
ELSEWHERE = "else"
PICK_PREFIX = "c"  # option values "c1".."c4": the candidates, biggest first


def _question(slots: dict[str, str]) -> places.Choose | None:
    """The "which one?" on screen, read afresh from the words kept for it."""
    query = slots.get(WHICH)
    found = places.find(query) if query else None
    return found if isinstance(found, places.Choose) else None


def _read(turn: Turn, typed: str) -> places.Place:
    """What a typed answer means here: an option of the question on screen ("the uk one",
    "new hampshire"), a new place ("leeds"), or the name asked about, narrowed ("vermont")."""
    question = _question(turn.slots)
    if question is None:
        return places.find(typed)
    picked = places.choose(question, typed)
    if picked is not None:
        return places.Found(picked.zone)
    fresh = places.find(typed)
    if fresh is not None:
        return fresh
    narrowed = places.find(f"{question.query} {typed}")
    return narrowed if isinstance(narrowed, places.Found) else None


def _set_zone(turn: Turn, zone: str) -> None:
    turn.slots.pop(WHICH, None)
    turn.slots[ZONE] = zone
    turn.slots[LOCAL_NOW] = calendar.describe_now(zone, turn.now) if turn.now else ""


def none_of_them(event: EventData) -> bool:
    """ "None of these" while we ask which one: ask where again."""
    turn = model_of(event)
    return _question(turn.slots) is not None and places.none_of_them(value_of(event))


def known(event: EventData) -> bool:
    """A place we can name or ask about; otherwise a nudge that says what works."""
    turn = model_of(event)
    if _read(turn, value_of(event)) is not None:
        return True
    turn.hint = content.text("timezone.ask", "hint")
    return False


def propose(event: EventData) -> None:
    turn = model_of(event)
    found = _read(turn, value_of(event))
    if isinstance(found, places.Choose):
        turn.slots.pop(ZONE, None)
        turn.slots.pop(LOCAL_NOW, None)
        turn.slots[WHICH] = found.query
    else:
        _set_zone(turn, found.zone if found is not None else "UTC")


def proposed(event: EventData) -> bool:
    slots = model_of(event).slots
    return bool(slots.get(ZONE)) and not slots.get(WHICH)


def _picked(event: EventData) -> places.Candidate | None:
    question = _question(model_of(event).slots)
    value = value_of(event)
    number = value.removeprefix(PICK_PREFIX)
    if question is None or not value.startswith(PICK_PREFIX) or not number.isdecimal():
        return None
    index = int(number) - 1
    return question.candidates[index] if 0 <= index < len(question.candidates) else None


def a_candidate(event: EventData) -> bool:
    return _picked(event) is not None


def take(event: EventData) -> None:
    found = _picked(event)
    if found is not None:
        _set_zone(model_of(event), found.zone)


def elsewhere(event: EventData) -> None:
    model_of(event).slots.pop(WHICH, None)


def accept(event: EventData) -> None:
    turn = model_of(event)
    zone = turn.slots.get(ZONE)
    if zone:
        turn.profile = replace(turn.profile, timezone=zone)
        turn.say(content.text("timezone.set", zone=zone))


def confirm(flow: Flow, turn: Turn) -> Reply:
    """ "Which Manchester?" while a name has several clocks; then "is it 14:05 where you are?"."""
    question = _question(turn.slots)
    if question is not None:
        key = "wide" if question.wide else "text"
        options = tuple(
            Option(flow.key(turn.state, f"{PICK_PREFIX}{n}"), candidate.label)
            for n, candidate in enumerate(question.candidates, 1)
        )
        elsewhere_option = Option(
            flow.key(turn.state, ELSEWHERE), content.options("timezone.which")[ELSEWHERE]
        )
        text = content.text("timezone.which", key, name=question.name)
        return Reply(text, (*options, elsewhere_option))
    return flow.plain_prompt(
        turn.state,
        {},
        section="timezone.confirm",
        zone=turn.slots.get(ZONE, ""),
        local_now=turn.slots.get(LOCAL_NOW, ""),
    )


def asking(ask: str, confirm_state: str, *, then: str) -> list[dict[str, Any]]:
    """Ask where, ask which one when a name has several clocks, confirm with the local time
    now, then go on to `then` (any flow can ask)."""
    return [
        {
            "trigger": "text",
            "source": confirm_state,
            "dest": ask,
            "conditions": none_of_them,
            "before": elsewhere,
        },
        {
            "trigger": "text",
            "source": [ask, confirm_state],
            "dest": confirm_state,
            "conditions": known,
            "before": propose,
        },
        {
            "trigger": "pick",
            "source": confirm_state,
            "dest": confirm_state,
            "conditions": a_candidate,
            "before": take,
        },
        {
            "trigger": "pick",
            "source": confirm_state,
            "dest": ask,
            "conditions": value_is(ELSEWHERE),
            "before": elsewhere,
        },
        {
            "trigger": "pick",
            "source": confirm_state,
            "dest": then,
            "conditions": [value_is("yes"), proposed],
            "before": accept,
        },
        {
            "trigger": "pick",
            "source": confirm_state,
            "dest": ask,
            "conditions": value_is("no"),
            "before": elsewhere,
        },
    ]


FLOW = Flow(
    name="timezone",
    version=1,
    needs_consent=False,
    states=[State("ask"), State("confirm", render=confirm)],
    transitions=asking("ask", "confirm", then=END),
)

STEP = Step(flow=FLOW, name="timezone")
