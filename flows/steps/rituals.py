"""/rituals: choose small daily rituals, each at a time and on days of one's own.

One action per visit (add, change a time, change the days, or remove), so the listing shown
at the start stays true. A missed day resets nothing; there are no streaks to lose.
A time inside the person's quiet hours is said plainly before it is kept, since its
reminder would not come (`flows.views.reminders`); the daily moment asks the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import Option, Reply, RitualChangeRecord, RitualItem, RitualRecord
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    forget,
    has_words,
    model_of,
    store,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language import times
from flows.views import prompts, reminders

LISTING = "_listing"
IDS = "_ids"
RITUAL = "_ritual"  # the one being changed
CHANGE = "_change"  # what is being changed: "time" or "days"
ALL_DAYS = "0123456"
DAY_SETS = {"every": ALL_DAYS, "weekdays": "01234", "weekends": "56"}


@dataclass(frozen=True, slots=True)
class Listed:
    """A ritual as remembered for this visit (from the listing made when it opened)."""

    id: int
    label: str
    local_time: str
    days: str

    @property
    def choice(self) -> str:
        """Its button: the label with its time, so two check-ins can be told apart."""
        return f"{self.label} — {self.local_time}" if self.local_time else self.label


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
    """What a visit remembers of the person's rituals: the listing, and each one's schedule."""
    return {
        LISTING: listing(items),
        # JSON, because a person's own label may hold any character, commas included.
        IDS: json.dumps(
            [[i.id, label_of(i.kind, i.label)[:40] or "…", i.local_time, i.days] for i in items]
        ),
    }


def listed(slots: dict[str, str]) -> list[Listed]:
    """The rituals of this visit; a listing saved by an older release lacks the schedule."""
    try:
        rows: list[Any] = json.loads(slots.get(IDS) or "[]")
        return [
            Listed(int(row[0]), str(row[1]), *(str(v) for v in (row[2:4] or ["", ""])))
            for row in rows
        ]
    except (ValueError, TypeError, IndexError):
        return []


def chosen(slots: dict[str, str]) -> Listed | None:
    """The ritual this visit is changing, if any."""
    return next((r for r in listed(slots) if str(r.id) == slots.get(RITUAL)), None)


# --- the shared time question: read it, and say so when it falls in quiet hours ---------------


def a_time(event: EventData) -> bool:
    return times.find_time(value_of(event)) is not None


_BARE_HOUR = re.compile(
    r"^\s*(?:at\s+|around\s+|about\s+)?(?:[1-9]|1[01])\s*(?:-?\s*ish|o'?\s*clock)?\s*$", re.I
)
"""A bare "9": read as 09:00, and said so, since a bedtime ritual may have meant 21:00."""


def keep_time(event: EventData) -> None:
    typed = value_of(event)
    parsed = times.find_time(typed)
    if parsed is not None:
        turn = model_of(event)
        turn.slots["time"] = parsed.strftime("%H:%M")
        if _BARE_HOUR.match(typed):
            later = f"{parsed.hour + 12:02d}:{parsed.minute:02d}"
            turn.hint = content.text(
                "rituals.morning", time=turn.slots["time"], later=later, pm=f"{parsed.hour}pm"
            )


def in_quiet_hours(event: EventData) -> bool:
    """The time just typed or picked lies inside the quiet hours this person set."""
    parsed = times.find_time(value_of(event))
    profile = model_of(event).profile
    return parsed is not None and reminders.in_quiet_hours(
        parsed, profile.quiet_from, profile.quiet_to
    )


def clash(flow: Flow, turn: Turn) -> Reply:
    """ "That is inside your quiet hours": keep it anyway, or another time (any flow asks it)."""
    p = turn.profile
    return flow.plain_prompt(
        turn.state,
        {},
        section="rituals.clash",
        time=turn.slots.get("time", ""),
        quiet=f"{p.quiet_from}–{p.quiet_to}",
    )


def kept_quiet(turn: Turn, at: str) -> str:
    """The line added when a ritual is kept inside quiet hours anyway."""
    parsed = times.parse_time(at)
    p = turn.profile
    if parsed is None or not reminders.in_quiet_hours(parsed, p.quiet_from, p.quiet_to):
        return ""
    return "\n\n" + content.text("rituals.added", "quiet")


# --- the menu and the pickers ------------------------------------------------------------------


def _menu(flow: Flow, turn: Turn) -> Reply:
    """Without rituals there is nothing to change or remove: only "add" and "that's all"."""
    reply = flow.plain_prompt("menu", {}, listing=turn.slots.get(LISTING, ""))
    if listed(turn.slots):
        return reply
    return Reply(reply.text, tuple(o for o in reply.options if o.key.endswith((".add", ".close"))))


def _for_two() -> frozenset[str]:
    return frozenset(content.section("rituals.kind")["for_two"])


def _fits(event: EventData) -> bool:
    """A ritual for two is not offered (nor taken from an old button) to someone on their own."""
    return policy.for_two(model_of(event).profile) or value_of(event) not in _for_two()


def _kinds(flow: Flow, turn: Turn) -> Reply:
    """On the individual track, or while paused, only rituals one person keeps for themselves."""
    shown = flow.plain_prompt("kind", turn.slots)
    if policy.for_two(turn.profile):
        return shown
    alone = tuple(o for o in shown.options if o.key.rsplit(".", 1)[-1] not in _for_two())
    return Reply(content.text("rituals.kind", "alone"), alone)


def _picker(state: str, prefix: str) -> Callable[[Flow, Turn], Reply]:
    """Their rituals as options keyed `prefix` + id (only ids on this visit's list count)."""

    def render(flow: Flow, turn: Turn) -> Reply:
        options = tuple(
            Option(flow.key(state, f"{prefix}{r.id}"), r.choice) for r in listed(turn.slots)
        )
        return Reply(content.text(f"rituals.{state}"), options)

    return render


def _new_time(flow: Flow, turn: Turn) -> Reply:
    found = chosen(turn.slots)
    return flow.plain_prompt(
        "new_time", {}, label=found.label if found else "", time=found.local_time if found else ""
    )


def _new_days(flow: Flow, turn: Turn) -> Reply:
    found = chosen(turn.slots)
    return flow.plain_prompt(
        "new_days",
        {},
        label=found.label if found else "",
        days=days_text(found.days if found else ""),
    )


def _has_rituals(event: EventData) -> bool:
    return bool(listed(model_of(event).slots))


def _only_one(event: EventData) -> bool:
    return len(listed(model_of(event).slots)) == 1


def _take_the_only_one(event: EventData) -> None:
    turn = model_of(event)
    turn.slots[RITUAL] = str(listed(turn.slots)[0].id)
    turn.slots[CHANGE] = value_of(event)


def _known(prefix: str) -> Callback:
    def check(event: EventData) -> bool:
        value = value_of(event)
        ids = {str(r.id) for r in listed(model_of(event).slots)}
        return value.startswith(prefix) and value[len(prefix) :] in ids

    return check


def _take(event: EventData) -> None:
    model_of(event).slots[RITUAL] = value_of(event)[2:]


def _changing(what: str) -> Callback:
    def check(event: EventData) -> bool:
        return model_of(event).slots.get(CHANGE) == what

    return check


def _remove(event: EventData) -> None:
    turn = model_of(event)
    turn.records.append(RitualRecord(remove_id=int(value_of(event)[2:])))
    turn.say(content.text("rituals.removed"))


# --- adding -------------------------------------------------------------------------------------


def _kind(event: EventData) -> None:
    model_of(event).slots["kind"] = value_of(event)


def _own_label(event: EventData) -> None:
    turn = model_of(event)
    turn.slots["kind"] = "own"
    turn.slots["label"] = value_of(event).strip()[:80]


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
        added = content.text(
            "rituals.added", label=label_of(kind, label), time=at, days=days_text(days)
        )
        turn.say(added + kept_quiet(turn, at))

    return add


def _linked(event: EventData) -> bool:
    """A ritual can be "ours" when linked, and while sharing is not paused for safety."""
    profile = model_of(event).profile
    return policy.may_share(profile)


# --- changing -----------------------------------------------------------------------------------


def _save_change(event: EventData) -> None:
    """The new time or days for the chosen ritual, said back in full."""
    turn = model_of(event)
    found = chosen(turn.slots)
    if found is None:
        turn.say(content.text("rituals.lost"))  # the ritual went while they were choosing
        return
    at = turn.slots.get("time") if turn.slots.get(CHANGE) == "time" else None
    days = turn.slots.get("days") if turn.slots.get(CHANGE) == "days" else None
    turn.records.append(RitualChangeRecord(found.id, at, days))
    shown_at = at or found.local_time
    said = content.text(
        "rituals.changed",
        label=found.label,
        time=shown_at,
        days=days_text(days or found.days),
    )
    turn.say(said + (kept_quiet(turn, at) if at else ""))


_KINDS = tuple(k for k in content.options("rituals.kind") if k != "own")


def changing_one(event: EventData) -> bool:
    """This visit changes a ritual already there (rather than adding one)."""
    return bool(model_of(event).slots.get(RITUAL))


def _times_from(source: str, *, then: tuple[str, ...]) -> list[dict[str, Any]]:
    """A time typed (or picked) at `source`: to the quiet-hours question when it falls
    inside them; otherwise saved ("end", changing a ritual) or on to the days ("days")."""
    out: list[dict[str, Any]] = []
    for trigger in ("text",) if source == "clash" else ("pick", "text"):
        out.append(
            {
                "trigger": trigger,
                "source": source,
                "dest": "clash",
                "conditions": [a_time, in_quiet_hours],
                "before": keep_time,
            }
        )
        if "end" in then:
            out.append(
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": END,
                    "conditions": [a_time, changing_one],
                    "before": [keep_time, _save_change],
                }
            )
        if "days" in then:
            out.append(
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": "days",
                    "conditions": a_time,
                    "before": keep_time,
                }
            )
    return out


FLOW = Flow(
    name="rituals",
    stores=True,
    version=1,
    states=[
        State("menu", render=_menu),
        State("kind", render=_kinds),
        State("own"),
        State("time", numbers_are_answers=True),
        State("clash", render=clash, numbers_are_answers=True),
        State("days"),
        State("whose"),
        State("pick_remove", render=_picker("pick_remove", "rm")),
        State("pick_change", render=_picker("pick_change", "ch")),
        State("new_time", render=_new_time, numbers_are_answers=True),
        State("new_days", render=_new_days),
    ],
    transitions=[
        {"trigger": "pick", "source": "menu", "dest": "kind", "conditions": value_is("add")},
        *(
            transition
            for what, dest in (("time", "new_time"), ("days", "new_days"))
            for transition in (
                {
                    "trigger": "pick",
                    "source": "menu",
                    "dest": dest,
                    "conditions": [value_is(what), _only_one],
                    "before": _take_the_only_one,
                },
                {
                    "trigger": "pick",
                    "source": "menu",
                    "dest": "pick_change",
                    "conditions": [value_is(what), _has_rituals],
                    "before": store(CHANGE),
                },
                {
                    "trigger": "pick",
                    "source": "pick_change",
                    "dest": dest,
                    "conditions": [_known("ch"), _changing(what)],
                    "before": _take,
                },
            )
        ),
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
            "conditions": [value_is(*_KINDS), _fits],
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
        *_times_from("time", then=("days",)),
        *_times_from("new_time", then=("end",)),
        # Inside quiet hours: keep it anyway, choose again, or simply type another time.
        {
            "trigger": "pick",
            "source": "clash",
            "dest": END,
            "conditions": [value_is("keep"), changing_one],
            "before": _save_change,
        },
        {"trigger": "pick", "source": "clash", "dest": "days", "conditions": value_is("keep")},
        {
            "trigger": "pick",
            "source": "clash",
            "dest": "new_time",
            "conditions": [value_is("other"), changing_one],
            "before": forget("time"),
        },
        {
            "trigger": "pick",
            "source": "clash",
            "dest": "time",
            "conditions": value_is("other"),
            "before": forget("time"),
        },
        *_times_from("clash", then=("end", "days")),
        *(
            {
                "trigger": trigger,
                "source": source,
                "dest": dest,
                "conditions": [when, *extra],
                "before": [_store_days, *after],
            }
            for trigger, when in (("pick", value_is(*DAY_SETS)), ("text", _some_days))
            for source, dest, extra, after in (
                ("new_days", END, [], [_save_change]),
                ("days", "whose", [_linked], []),
                ("days", END, [], [_add(False)]),
            )
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
            "conditions": _known("rm"),
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
