"""/settings: time zone, quiet hours, pausing reminders, discreet mode — all in one place.

Quiet hours come the way people say them, in one message ("11pm-7am", "23-7") or in two
(a start, then "until when?"), or as the night Mend suggests with one tap. Nothing is
stored for someone who never sets them: the reminders' own rule (`flows.views.reminders`)
keeps the night quiet for them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from transitions import EventData

from flows.core import content
from flows.core.contract import Option, Reply
from flows.core.machine import END, Flow, State, Turn, model_of, say, value_is, value_of
from flows.core.step import Step
from flows.language import times
from flows.steps import rituals, timezone
from flows.views import reminders

START = "_quiet_start"
_OFF = frozenset({"off", "none", "no", "never", "stop", "no quiet hours", "nothing", "turn off"})


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def _night() -> dict[str, str]:
    start, end = reminders.NIGHT
    return {"start": start, "end": end}


def _menu(flow: Flow, turn: Turn) -> Reply:
    p = turn.profile
    words = content.section("settings.menu")
    if p.quiet_from and p.quiet_to:
        quiet = content.text("settings.menu", "range", start=p.quiet_from, end=p.quiet_to)
    else:
        quiet = content.text("settings.menu", "none", **_night())
    return flow.plain_prompt(
        "menu",
        {},
        zone=p.timezone or words["unset"],
        quiet=quiet,
        reminders=words["paused"] if p.reminders_paused else words["active"],
        discreet=words["on"] if p.discreet else words["off"],
    )


def _ask_quiet(flow: Flow, turn: Turn) -> Reply:
    """The question, with the night as one tap and "none" as another."""
    return Reply(
        content.text("settings.quiet"),
        (
            Option(flow.key("quiet", "night"), content.text("settings.quiet", "night", **_night())),
            Option(flow.key("quiet", "off"), content.text("settings.quiet", "off")),
        ),
    )


def _ask_until(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("quiet_until", {}, start=turn.slots.get(START, ""))


def _is_off(event: EventData) -> bool:
    return " ".join(value_of(event).casefold().split()).strip(" .!") in _OFF


def _a_range(event: EventData) -> bool:
    return times.parse_range(value_of(event)) is not None


def _a_start(event: EventData) -> bool:
    return times.parse_time(value_of(event)) is not None


def _an_end(event: EventData) -> bool:
    """A time to end at that is not the start itself (that would be no quiet at all)."""
    end = times.parse_time(value_of(event))
    return end is not None and _hhmm(end) != model_of(event).slots.get(START)


def _keep_start(event: EventData) -> None:
    start = times.parse_time(value_of(event))
    if start is not None:
        model_of(event).slots[START] = _hhmm(start)


def _set(turn: Turn, start: str, end: str) -> None:
    """Keep the quiet hours, and say which rituals now fall silent inside them."""
    turn.profile = replace(turn.profile, quiet_from=start, quiet_to=end)
    words = content.text("settings.quiet_set", start=start, end=end)
    silenced = [
        rituals.label_of(item.kind, item.label)
        for item in turn.memory.rituals()
        if (at := times.parse_time(item.local_time)) and reminders.in_quiet_hours(at, start, end)
    ]
    if silenced:
        words += "\n\n" + content.text(
            "settings.quiet_set", "silenced", rituals=", ".join(silenced)
        )
    turn.say(words)


def _set_range(event: EventData) -> None:
    found = times.parse_range(value_of(event))
    if found is not None:
        _set(model_of(event), _hhmm(found[0]), _hhmm(found[1]))


def _set_night(event: EventData) -> None:
    _set(model_of(event), *reminders.NIGHT)


def _set_end(event: EventData) -> None:
    turn = model_of(event)
    end = times.parse_time(value_of(event))
    start = turn.slots.pop(START, "")
    if end is not None and start:
        _set(turn, start, _hhmm(end))


def _set_off(event: EventData) -> None:
    turn = model_of(event)
    turn.profile = replace(turn.profile, quiet_from=None, quiet_to=None)
    turn.say(content.text("settings.quiet_set", "off", **_night()))


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
        # A typed "23" is the hour quiet begins, not an option's number.
        State("quiet", render=_ask_quiet, numbers_are_answers=True),
        State("quiet_until", render=_ask_until, numbers_are_answers=True),
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
            "trigger": "pick",
            "source": "quiet",
            "dest": "menu",
            "conditions": value_is("night"),
            "before": _set_night,
        },
        {
            "trigger": "pick",
            "source": "quiet",
            "dest": "menu",
            "conditions": value_is("off"),
            "before": _set_off,
        },
        {
            "trigger": "text",
            "source": "quiet",
            "dest": "menu",
            "conditions": _is_off,
            "before": _set_off,
        },
        {
            "trigger": "text",
            "source": "quiet",
            "dest": "menu",
            "conditions": _a_range,
            "before": _set_range,
        },
        {
            "trigger": "text",
            "source": "quiet",
            "dest": "quiet_until",
            "conditions": _a_start,
            "before": _keep_start,
        },
        {
            "trigger": "text",
            "source": "quiet_until",
            "dest": "menu",
            "conditions": _a_range,
            "before": _set_range,
        },
        *(
            {
                "trigger": trigger,
                "source": "quiet_until",
                "dest": "menu",
                "conditions": _an_end,
                "before": _set_end,
            }
            for trigger in ("text", "pick")
        ),
    ],
)

STEP = Step(flow=FLOW, name="settings", command="settings", place=150)
