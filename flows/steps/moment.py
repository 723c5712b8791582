"""The daily moment offered at the end of /start: a time zone, a time, one daily ritual.

The moment is one daily reminder: a ritual and a question. Someone who has no rituals yet
gets a daily check-in at the time they choose. Someone who already has rituals (a second
/start) chooses which of them is the moment, or a new check-in, rather than being given
another ritual on top.
"""

from __future__ import annotations

from transitions import EventData

from flows.core import content
from flows.core.contract import Memory, Option, Profile, Reply, RitualChangeRecord, RitualRecord
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    forget,
    model_of,
    say,
    slot_set,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.steps import rituals, timezone
from flows.steps.rituals import ALL_DAYS, LISTING, RITUAL, a_time, chosen, keep_time, listed


def _prepare(memory: Memory, today: str, profile: Profile) -> dict[str, str]:
    return rituals.start_slots(memory.rituals())


def _has_zone(event: EventData) -> bool:
    return bool(model_of(event).profile.timezone)


def _has_rituals(event: EventData) -> bool:
    return bool(listed(model_of(event).slots))


def _which(flow: Flow, turn: Turn) -> Reply:
    options = [Option(flow.key("which", f"r{r.id}"), r.choice) for r in listed(turn.slots)]
    options.append(Option(flow.key("which", "new"), content.text("moment.which", "new")))
    return Reply(content.text("moment.which", listing=turn.slots.get(LISTING, "")), tuple(options))


def _one_of_theirs(event: EventData) -> bool:
    value = value_of(event)
    return value.startswith("r") and value[1:] in {str(r.id) for r in listed(model_of(event).slots)}


def _take(event: EventData) -> None:
    model_of(event).slots[RITUAL] = value_of(event)[1:]


def _ask_time(flow: Flow, turn: Turn) -> Reply:
    """The time question; about one of their rituals, it says when that one is now."""
    reply = flow.plain_prompt("time", {})
    found = chosen(turn.slots)
    if found is None:
        return reply
    text = content.text("moment.time", "current", label=found.label, time=found.local_time)
    return Reply(text, reply.options)


def _create(event: EventData) -> None:
    """The moment: a new daily check-in, or one of their rituals moved to this time."""
    turn = model_of(event)
    at = turn.slots.get("time", "")
    if not at:
        return
    found = chosen(turn.slots)
    if found is None:
        turn.records.append(RitualRecord("checkin", None, at, ALL_DAYS))
        said = content.text("moment.done", time=at)
    else:
        turn.records.append(RitualChangeRecord(found.id, local_time=at))
        said = content.text("moment.done", "moved", label=found.label, time=at)
    turn.say(said + rituals.kept_quiet(turn, at))


def _ask_zone(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt(turn.state, {}, section="timezone.ask")


FLOW = Flow(
    name="moment",
    stores=True,
    version=1,
    prepare=_prepare,
    states=[
        State("offer"),
        State("zone", render=_ask_zone),
        State("confirm", render=timezone.confirm),
        State("which", render=_which),
        State("time", render=_ask_time, numbers_are_answers=True),
        State("clash", render=rituals.clash, numbers_are_answers=True),
    ],
    transitions=[
        {
            "trigger": "pick",
            "source": "offer",
            "dest": "which",
            "conditions": [value_is("yes"), _has_zone, _has_rituals],
        },
        {
            "trigger": "pick",
            "source": "offer",
            "dest": "time",
            "conditions": [value_is("yes"), _has_zone],
        },
        {"trigger": "pick", "source": "offer", "dest": "zone", "conditions": value_is("yes")},
        {
            "trigger": "pick",
            "source": "offer",
            "dest": END,
            "conditions": value_is("no"),
            "before": say("moment.no"),
        },
        {
            "trigger": "pick",
            "source": "confirm",
            "dest": "which",
            "conditions": [value_is("yes"), timezone.proposed, _has_rituals],
            "before": timezone.accept,
        },
        *timezone.asking("zone", "confirm", then="time"),
        {
            "trigger": "pick",
            "source": "which",
            "dest": "time",
            "conditions": _one_of_theirs,
            "before": _take,
        },
        {
            "trigger": "pick",
            "source": "which",
            "dest": "time",
            "conditions": value_is("new"),
            "before": forget(RITUAL),
        },
        *(
            transition
            for trigger in ("pick", "text")
            for source in ("time", "clash")
            for transition in (
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": "clash",
                    "conditions": [a_time, rituals.in_quiet_hours],
                    "before": keep_time,
                },
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": END,
                    "conditions": a_time,
                    "before": [keep_time, _create],
                },
            )
            if not (source == "clash" and trigger == "pick")
        ),
        {
            "trigger": "pick",
            "source": "clash",
            "dest": END,
            "conditions": [value_is("keep"), slot_set("time")],
            "before": _create,
        },
        {
            "trigger": "pick",
            "source": "clash",
            "dest": "time",
            "conditions": value_is("other"),
            "before": forget("time"),
        },
    ],
)

STEP = Step(flow=FLOW, name="moment")
