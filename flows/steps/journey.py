"""/steps: the journey map — every step, what it is for, where the person has been, what next.

Healing has an order that helps (name the hurt before working on triggers; own the harm
before practising listening), but people arrive anywhere. The map marks what they have
already tried, from their own journal, and offers one next step that suits their role,
never an exercise for two on the individual track or while coaching is paused.

Steps are referred to only by command name: several are written separately, and a step
that is not installed is simply left off the map instead of offering a dead button.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from transitions import EventData

from flows.core import content
from flows.core.contract import JournalItem, Option, Profile, Progress, Reply, RitualItem, Slots
from flows.core.machine import END, Flow, State, Turn, model_of, value_is, value_of

COMMAND = "steps"
ORDER = 5

JOURNEY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hurt", ("hurt",)),
    ("reframe", ("statement",)),
    ("listen", ("listen",)),
    ("own", ("own",)),
    ("forgive", ("forgive",)),
    ("agreement", ("agreement",)),
    ("trigger", ("trigger",)),
    ("selftrust", ("selftrust",)),
    ("grow", ("grow",)),
    ("win", ("win",)),
    ("checkin", ("checkin",)),
    ("progress", ()),
    ("rituals", ("prompt",)),
)
"""Each step's command, in the order of the journey, and the journal kinds that mean "been
there". /progress only shows; it leaves nothing in the journal to find."""

NEXT: dict[str, tuple[str, ...]] = {
    "hurt": ("hurt", "trigger", "selftrust"),
    "broke": ("own", "listen"),
    "both": ("reframe", "rituals", "grow"),
}
"""What to suggest, per role: the first of these not visited yet."""

FOR_TWO = frozenset({"reframe", "listen", "agreement"})
"""Exercises for two. Known here by name, so the map is right even before a step exists."""

SCAN = 50
"""Recent journal entries to look through; the full history comes from `progress()`, which
reads kinds and dates only, never decrypting anyone's words."""
SEEN = "_seen"
"""Visited steps, read from memory once as the map opens and kept in the slots."""
GO = "go_"


class _Memory(Protocol):
    def journal(self, limit: int) -> Sequence[JournalItem]: ...

    def rituals(self) -> Sequence[RitualItem]: ...

    def progress(self) -> Progress: ...


def visited(memory: _Memory) -> frozenset[str]:
    """Commands of the steps the person has left something in.

    A step counts once its journal kind is there; check-ins and rituals live in tables of
    their own, so they count once there is a check-in, a ritual set up, or one kept.
    """
    kinds = {item.kind for item in memory.journal(SCAN)}
    found = {command for command, marks in JOURNEY if kinds.intersection(marks)}
    progress = memory.progress()
    found.update(progress.steps_visited)
    if progress.checkins:
        found.add("checkin")
    if progress.rituals_kept or memory.rituals():
        found.add("rituals")
    return frozenset(found)


def _prepare(memory: Any, today: str) -> Slots:
    return {SEEN: ",".join(sorted(visited(memory)))} if memory is not None else {}


def installed() -> dict[str, Flow | None]:
    """Command → flow for every step that exists right now (None: a command, not a flow,
    like /progress, which can be listed but not opened from a button).

    Read from the coach when asked, not at import: the coach imports this module.
    """
    from flows import coach

    found: dict[str, Flow | None] = dict.fromkeys(coach.COMMANDS)
    found.update({command: coach.FLOWS[name] for command, name in coach.STARTS.items()})
    return found


def allowed(command: str, profile: Profile, opens: dict[str, Flow | None]) -> bool:
    """Exercises for two are never offered on the individual track or while paused."""
    found = opens.get(command)
    for_two = command in FOR_TWO or (found is not None and found.couples)
    return not for_two or (profile.track != "individual" and profile.paused is None)


def suggestion(profile: Profile, seen: frozenset[str], opens: dict[str, Flow | None]) -> str | None:
    order = NEXT.get(profile.role or "both", NEXT["both"])
    for command in order:
        if command not in seen and opens.get(command) and allowed(command, profile, opens):
            return command
    return None


def _seen(turn: Turn) -> frozenset[str]:
    return frozenset(filter(None, turn.slots.get(SEEN, "").split(",")))


def _map(flow: Flow, turn: Turn) -> Reply:
    seen = _seen(turn)
    opens = installed()
    about = content.section("steps.about")
    marks = content.section("steps.marks")
    lines = [
        f"{marks['seen'] if command in seen else marks['not_yet']} /{command} – {about[command]}"
        for command, _ in JOURNEY
        if command in opens and command in about and allowed(command, turn.profile, opens)
    ]
    nxt = suggestion(turn.profile, seen, opens)
    if nxt is not None:
        footer = content.text("steps.map", "next", command=nxt, about=about.get(nxt, ""))
    else:
        footer = content.text("steps.map", "all_seen")
    options: list[Option] = []
    labels = content.options("steps.map")
    if nxt is not None:
        options.append(Option(flow.key("map", GO + nxt), labels["go"].format(command=nxt)))
    options.append(Option(flow.key("map", "close"), labels["close"]))
    text = content.text("steps.map", legend=marks["legend"], steps="\n".join(lines))
    return Reply(f"{text}\n\n{footer}", tuple(options))


def _openable(event: EventData) -> bool:
    """Any installed step the person may open (an older map's button is fine too)."""
    value = value_of(event)
    command = value.removeprefix(GO)
    turn = model_of(event)
    opens = installed()
    if not value.startswith(GO) or opens.get(command) is None:
        return False
    if not allowed(command, turn.profile, opens):
        turn.hint = content.text("steps.map", "not_now")
        return False
    return True


def _then(event: EventData) -> None:
    """The coach opens the named flow once this one has ended (its `_follow`)."""
    turn = model_of(event)
    flow = installed()[value_of(event).removeprefix(GO)]
    assert flow is not None  # _openable made sure
    turn.slots["then"] = flow.name


def _closed(event: EventData) -> None:
    model_of(event).say(content.text("steps.closed"))


def _transitions() -> list[dict[str, Any]]:
    return [
        {
            "trigger": "pick",
            "source": "map",
            "dest": END,
            "conditions": _openable,
            "before": _then,
        },
        {
            "trigger": "pick",
            "source": "map",
            "dest": END,
            "conditions": value_is("close"),
            "before": _closed,
        },
    ]


FLOW = Flow(
    name="steps",
    version=1,
    needs_consent=False,
    prepare=_prepare,
    states=[State("map", render=_map)],
    transitions=_transitions(),
)
