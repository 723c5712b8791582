"""/settings: time zone, quiet hours, pausing reminders, discreet mode — all in one place."""

from __future__ import annotations

import re
from dataclasses import replace

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply
from flows.core.machine import END, Flow, State, Turn, model_of, say, value_is, value_of
from flows.core.step import Step
from flows.steps import timezone

_RANGE = re.compile(r"^\s*(\d{1,2})[:.h]?(\d{2})?\s*[-–to ]+\s*(\d{1,2})[:.h]?(\d{2})?\s*$")
_OFF = {"off", "none", "no", "never", "stop"}


def _menu(flow: Flow, turn: Turn) -> Reply:
    p = turn.profile
    words = content.section("settings.menu")
    quiet = f"{p.quiet_from}–{p.quiet_to}" if p.quiet_from and p.quiet_to else words["none"]
    return flow.plain_prompt(
        "menu",
        {},
        zone=p.timezone or words["unset"],
        quiet=quiet,
        reminders=words["paused"] if p.reminders_paused else words["active"],
        discreet=words["on"] if p.discreet else words["off"],
    )


def quiet_range(text: str) -> tuple[str, str] | str | None:
    """("22:00", "07:00"), "off" to clear, or None when it cannot be read."""
    if text.strip().casefold() in _OFF:
        return "off"
    match = _RANGE.match(text.replace("—", "-"))
    if not match:
        return None
    h1, m1, h2, m2 = match.groups()
    start, end = (int(h1), int(m1 or 0)), (int(h2), int(m2 or 0))
    if not all(0 <= h < 24 and 0 <= m < 60 for h, m in (start, end)) or start == end:
        return None
    return f"{start[0]:02d}:{start[1]:02d}", f"{end[0]:02d}:{end[1]:02d}"


def _readable(event: EventData) -> bool:
    return quiet_range(value_of(event)) is not None


def _set_quiet(event: EventData) -> None:
    turn = model_of(event)
    found = quiet_range(value_of(event))
    if found == "off":
        turn.profile = replace(turn.profile, quiet_from=None, quiet_to=None)
    elif isinstance(found, tuple):
        turn.profile = replace(turn.profile, quiet_from=found[0], quiet_to=found[1])
    turn.say(content.text("settings.saved"))


def _toggle_pause(event: EventData) -> None:
    turn = model_of(event)
    turn.profile = replace(turn.profile, reminders_paused=not turn.profile.reminders_paused)


def _toggle_discreet(event: EventData) -> None:
    turn = model_of(event)
    turn.profile = replace(turn.profile, discreet=not turn.profile.discreet)


def _ask_zone(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt(turn.state, {}, section="timezone.ask")


FLOW = Flow(
    name="settings",
    version=1,
    needs_consent=False,
    states=[
        State("menu", render=_menu),
        State("zone", render=_ask_zone),
        State("confirm", render=timezone.confirm),
        State("quiet"),
    ],
    transitions=[
        {"trigger": "pick", "source": "menu", "dest": "zone", "conditions": value_is("zone")},
        {"trigger": "pick", "source": "menu", "dest": "quiet", "conditions": value_is("quiet")},
        {
            "trigger": "pick",
            "source": "menu",
            "dest": "menu",
            "conditions": value_is("pause"),
            "before": _toggle_pause,
        },
        {
            "trigger": "pick",
            "source": "menu",
            "dest": "menu",
            "conditions": value_is("discreet"),
            "before": _toggle_discreet,
        },
        {
            "trigger": "pick",
            "source": "menu",
            "dest": END,
            "conditions": value_is("close"),
            "before": say("settings.saved"),
        },
        *timezone.asking("zone", "confirm", then="menu"),
        {
            "trigger": "text",
            "source": "quiet",
            "dest": "menu",
            "conditions": _readable,
            "before": _set_quiet,
        },
    ],
)

STEP = Step(flow=FLOW, name="settings", command="settings", place=150)
