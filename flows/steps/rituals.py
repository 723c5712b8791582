"""/rituals: choose small daily rituals, each at a time and on days of one's own.

One action per visit (add or remove), so the listing shown at the start stays true.
A missed day never resets anything; there are no streaks to lose.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import Option, Reply, RitualItem, RitualRecord
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    has_words,
    model_of,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language import times
from flows.views import prompts

LISTING = "_listing"
IDS = "_ids"
ALL_DAYS = "0123456"
DAY_SETS = {"every": ALL_DAYS, "weekdays": "01234", "weekends": "56"}


def label_of(kind: str, label: str | None) -> str:
    if kind == "own":
        return label or ""
    return prompts.ritual_label(kind)


def days_text(days: str) -> str:
    names = content.section("rituals.days_names")
    for key, value in DAY_SETS.items():
        if days == value:
            return str(names[key])
    week = names["week"]
    return ", ".join(week[int(d)] for d in days if d.isdigit() and int(d) < 7)


def listing(items: Sequence[RitualItem]) -> str:
    if not items:
        return content.text("rituals.menu", "none")
    lines = [content.text("rituals.menu", "header")]
    lines += [f"• {label_of(i.kind, i.label)} — {i.local_time}, {days_text(i.days)}" for i in items]
    return "\n".join(lines)


def start_slots(items: Sequence[RitualItem]) -> dict[str, str]:
    return {
        LISTING: listing(items),
        # JSON, because a person's own label may hold any character, commas included.
        IDS: json.dumps([[i.id, label_of(i.kind, i.label)[:40] or "…"] for i in items]),
    }


def _menu(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("menu", {}, listing=turn.slots.get(LISTING, ""))


def _pick_remove(flow: Flow, turn: Turn) -> Reply:
    options = []
    for rid, label in _listed(turn.slots):
        options.append(Option(flow.key("pick_remove", f"rm{rid}"), label))
    return Reply(content.text("rituals.pick_remove"), tuple(options))


def _listed(slots: dict[str, str]) -> list[tuple[int, str]]:
    try:
        return [(int(rid), str(label)) for rid, label in json.loads(slots.get(IDS) or "[]")]
    except (ValueError, TypeError):
        return []


def _has_rituals(event: EventData) -> bool:
    return bool(_listed(model_of(event).slots))


def _known_ritual(event: EventData) -> bool:
    value = value_of(event)
    ids = {str(rid) for rid, _ in _listed(model_of(event).slots)}
    return value.startswith("rm") and value[2:] in ids


def _remove(event: EventData) -> None:
    turn = model_of(event)
    turn.records.append(RitualRecord(remove_id=int(value_of(event)[2:])))
    turn.say(content.text("rituals.removed"))


def _kind(event: EventData) -> None:
    model_of(event).slots["kind"] = value_of(event)


def _own_label(event: EventData) -> None:
    turn = model_of(event)
    turn.slots["kind"] = "own"
    turn.slots["label"] = value_of(event).strip()[:80]


def _a_time(event: EventData) -> bool:
    return times.parse_time(value_of(event)) is not None


def _keep_time(event: EventData) -> None:
    parsed = times.parse_time(value_of(event))
    if parsed is not None:
        model_of(event).slots["time"] = parsed.strftime("%H:%M")


def _some_days(event: EventData) -> bool:
    return times.parse_days(value_of(event)) is not None


def _store_days(event: EventData) -> None:
    value = value_of(event)
    days = DAY_SETS.get(value)
    if days is None:
        parsed = times.parse_days(value) or frozenset(range(7))
        days = "".join(str(d) for d in sorted(parsed))
    model_of(event).slots["days"] = days


def _add(ours: bool) -> Callback:
    def add(event: EventData) -> None:
        turn = model_of(event)
        kind = turn.slots.get("kind", "checkin")
        label = turn.slots.get("label") or None
        days = turn.slots.get("days", ALL_DAYS)
        at = turn.slots.get("time", "08:00")
        turn.records.append(RitualRecord(kind, label, at, days, ours=ours))
        turn.say(
            content.text(
                "rituals.added", label=label_of(kind, label), time=at, days=days_text(days)
            )
        )

    return add


def _linked(event: EventData) -> bool:
    """A ritual can be "ours" when linked, and while sharing is not paused for safety."""
    profile = model_of(event).profile
    return policy.may_share(profile)


_KINDS = tuple(k for k in content.options("rituals.kind") if k != "own")

FLOW = Flow(
    name="rituals",
    stores=True,
    version=1,
    states=[
        State("menu", render=_menu),
        State("kind"),
        State("own"),
        State("time", numbers_are_answers=True),
        State("days"),
        State("whose"),
        State("pick_remove", render=_pick_remove),
    ],
    transitions=[
        {"trigger": "pick", "source": "menu", "dest": "kind", "conditions": value_is("add")},
        {
            "trigger": "pick",
            "source": "menu",
            "dest": "pick_remove",
            "conditions": [value_is("remove"), _has_rituals],
        },
        {
            "trigger": "pick",
            "source": "menu",
            "dest": END,
            "conditions": value_is("close"),
            "before": lambda e: model_of(e).say(content.text("rituals.closed")),
        },
        {
            "trigger": "pick",
            "source": "kind",
            "dest": "time",
            "conditions": value_is(*_KINDS),
            "before": _kind,
        },
        {"trigger": "pick", "source": "kind", "dest": "own", "conditions": value_is("own")},
        {
            "trigger": "text",
            "source": "own",
            "dest": "time",
            "conditions": has_words,
            "before": _own_label,
        },
        {
            "trigger": "pick",
            "source": "time",
            "dest": "days",
            "conditions": _a_time,
            "before": _keep_time,
        },
        {
            "trigger": "text",
            "source": "time",
            "dest": "days",
            "conditions": _a_time,
            "before": _keep_time,
        },
        *(
            {
                "trigger": trigger,
                "source": "days",
                "dest": dest,
                "conditions": [when, *extra],
                "before": [_store_days, *after],
            }
            for trigger, when in (("pick", value_is(*DAY_SETS)), ("text", _some_days))
            for dest, extra, after in (("whose", [_linked], []), (END, [], [_add(False)]))
        ),
        {
            "trigger": "pick",
            "source": "whose",
            "dest": END,
            "conditions": value_is("mine"),
            "before": _add(False),
        },
        {
            "trigger": "pick",
            "source": "whose",
            "dest": END,
            "conditions": value_is("ours"),
            "before": _add(True),
        },
        {
            "trigger": "pick",
            "source": "pick_remove",
            "dest": END,
            "conditions": _known_ritual,
            "before": _remove,
        },
    ],
)

STEP = Step(
    flow=FLOW,
    name="rituals",
    command="rituals",
    place=130,
    on_map=True,
    marks=("prompt",),
    roles=("both",),
    topic="rituals",
)
