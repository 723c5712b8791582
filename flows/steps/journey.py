"""/steps: the journey map — every step, what it is for, where the person has been, what next.

Healing has an order that helps (name the hurt before working on triggers; own the harm
before practising listening), but people arrive anywhere. The map marks what they have
already tried, from their own journal, and offers one next step that suits their role,
never an exercise for two on the individual track or while coaching is paused.

Which steps are on the map, in what order, what marks them visited and whom each suits
first are the steps' own declarations (`flows.steps`); this module only draws the map.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData

from flows import steps as registry
from flows.core import content, policy
from flows.core.contract import Memory, Option, Profile, Reply, Slots
from flows.core.machine import END, Flow, State, Turn, model_of, value_is, value_of
from flows.core.step import Step

CHECKIN = "checkin"
RITUALS = "rituals"
"""Steps whose visits live in tables of their own (check-ins, rituals), not the journal."""
SCAN = 50
"""Recent journal entries to look through; the full history comes from `progress()`, which
reads kinds and dates only, never decrypting anyone's words."""
SEEN = "_seen"
"""Visited steps, read from memory once as the map opens and kept in the slots."""
GO = "go_"


def visited(memory: Memory) -> frozenset[str]:
    """Commands of the steps the person has left something in.

    A step counts once a journal kind it saves (or marks) is there; check-ins and rituals
    live in tables of their own, so they count once there is a check-in, a ritual set up, or
    one kept. The full history comes from `progress()`, which reads kinds and dates only.
    """
    kinds = {item.kind for item in memory.journal(SCAN)}
    progress = memory.progress()
    found = set(registry.visited(kinds | set(progress.kinds)))
    if progress.checkins:
        found.add(CHECKIN)
    if progress.rituals_kept or memory.rituals():
        found.add(RITUALS)
    return frozenset(found)


def _prepare(memory: Memory, today: str, profile: Profile) -> Slots:
    return {SEEN: ",".join(sorted(visited(memory)))}


def installed() -> dict[str, Step]:
    """Command → step for every step that exists right now (read when asked, not at import:
    the registry imports this module)."""
    return registry.by_command()


def allowed(command: str, profile: Profile, opens: dict[str, Step]) -> bool:
    """Exercises for two are never offered on the individual track or while paused."""
    found = opens.get(command)
    return found is None or not found.about_us or policy.for_two(profile)


def suggestion(profile: Profile, seen: frozenset[str], opens: dict[str, Step]) -> str | None:
    """The first step on the map that suits their role, not visited yet, and allowed now."""
    for step in registry.suited(profile.role):
        command = step.command
        fresh = command and command not in seen and step.flow is not None
        if fresh and allowed(command or "", profile, opens):
            return command
    return None


def _seen(turn: Turn) -> frozenset[str]:
    return frozenset(filter(None, turn.slots.get(SEEN, "").split(",")))


def _about(step: Step) -> str:
    return content.text(f"{step.name}.command", "about")


def _map(flow: Flow, turn: Turn) -> Reply:
    seen = _seen(turn)
    opens = installed()
    marks = content.section("steps.marks")
    lines = [
        f"{marks['seen'] if s.command in seen else marks['not_yet']} /{s.command} – {_about(s)}"
        for s in registry.mapped()
        if s.command and allowed(s.command, turn.profile, opens)
    ]
    nxt = suggestion(turn.profile, seen, opens)
    if nxt is not None:
        footer = content.text("steps.map", "next", command=nxt, about=_about(opens[nxt]))
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
    found = opens.get(command)
    if not value.startswith(GO) or found is None or found.flow is None:
        return False
    if not allowed(command, turn.profile, opens):
        turn.hint = content.text("steps.map", "not_now")
        return False
    return True


def _then(event: EventData) -> None:
    """The coach opens the named flow once this one has ended (its `_follow`)."""
    turn = model_of(event)
    flow = installed()[value_of(event).removeprefix(GO)].flow
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

STEP = Step(flow=FLOW, name="steps", command="steps", place=5)
