"""When a message suggests someone may not be safe: check in, give help, slow down.

Coaching about the relationship stops here. The person sees numbers they can call (for
their country when known), can ground themselves, make a safety plan, and choose when, or
whether, to continue. Nothing of this is ever shown to a partner.
"""

from __future__ import annotations

import re
from dataclasses import replace

from transitions import EventData

from flows.core import content
from flows.core.contract import Profile, Reply, Slots
from flows.core.machine import (
    END,
    NEW_PROMPT,
    Flow,
    State,
    Turn,
    model_of,
    then,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language.safe_reply import says, says_safe_plainly
from flows.views.helplines import country_for_timezone, country_from_text, for_country

RESUME_CHECK = "resume_check"
"""Where /resume begins: one question about safety before coaching continues."""
ASKED = "asked"
"""The risk slot when the person opened /safety themselves: resources, no pause."""


def country_of(profile: Profile) -> str | None:
    """The country they told us, or the one their time zone implies (asked only once)."""
    return profile.country or country_for_timezone(profile.timezone)


def _site(line: str) -> str:
    return line.split()[0] if line else ""


def resources(country: str | None, risk: str) -> str:
    lines = for_country(country)
    out = [
        content.text("safety.resources", "header", country=lines.country_name)
        if lines.country
        else content.text("safety.resources", "header_unknown"),
        content.text("safety.resources", "emergency", emergency=lines.emergency),
    ]
    if lines.crisis and risk in ("self_harm", "danger_now", ASKED):
        out.append(lines.crisis)
    abuse = bool(lines.abuse) and risk in ("abuse", "danger_now", ASKED)
    if abuse and lines.abuse:
        out.append(lines.abuse)
    if not (abuse and lines.abuse and _site(lines.abuse) == _site(lines.directory)):
        out.append(lines.directory)  # one line per site: the same address twice reads as noise
    if not lines.country:
        out.append(content.text("safety.resources", "ask_country"))
    return "\n".join(out)


def _risk(slots: Slots) -> str:
    return slots.get("risk", ASKED)


NEW_NUMBERS = NEW_PROMPT  # a country told: the whole help again, with its numbers


def _unsure(event: EventData) -> None:
    model_of(event).hint = content.text("safety.unsure")


def _check(flow: Flow, turn: Turn) -> Reply:
    risk = _risk(turn.slots)
    intro = content.text("safety.intro", risk)
    if risk == "danger_now":
        emergency = for_country(country_of(turn.profile)).emergency
        intro += "\n" + content.text("safety.resources", "danger_now", emergency=emergency)
    return flow.plain_prompt(
        "check", {}, intro=intro, resources=resources(country_of(turn.profile), risk)
    )


def _urgent(flow: Flow, turn: Turn) -> Reply:
    lines = for_country(country_of(turn.profile))
    risk = _risk(turn.slots)
    return flow.plain_prompt(
        "urgent",
        {},
        emergency=lines.emergency,
        step=content.text("safety.step", risk),
        resources=resources(country_of(turn.profile), risk),
    )


def _after(flow: Flow, turn: Turn) -> Reply:
    """What helps now, without offering what is already on (plain or paused reminders)."""
    shown = flow.plain_prompt("after", {})
    done = {"neutral"} if turn.profile.discreet else set()
    if turn.profile.reminders_paused:
        done.add("quiet")
    return Reply(
        shown.text, tuple(o for o in shown.options if o.key.rsplit(".", 1)[-1] not in done)
    )


_PARTS = re.compile(r"[.,;!?]+|\band\b|\bbut\b", re.I)
_SAID = re.compile(r"^\s*(?:i said|i told you|its|it s|it's|im in|i'm in|i am in|in)\s+", re.I)


def _country_in(text: str) -> str | None:
    """A country told whole ("Germany") or as part of a reply ("uk. and yeah im ok")."""
    found = country_from_text(text)
    if found is not None:
        return found
    for part in _PARTS.split(text):
        part = _SAID.sub("", part.strip())
        if part and len(part.split()) <= 3:
            found = country_from_text(part)
            if found is not None:
                return found
    return None


def _a_country(event: EventData) -> bool:
    return _country_in(value_of(event)) is not None


def _set_country(event: EventData) -> None:
    turn = model_of(event)
    code = _country_in(value_of(event))
    turn.profile = replace(turn.profile, country=code)
    turn.slots[NEW_NUMBERS] = "1"  # new numbers: the whole help again
    turn.hint = content.text("safety.country_set", country=for_country(code).country_name)


def _quiet_reminders(event: EventData) -> None:
    turn = model_of(event)
    turn.profile = replace(turn.profile, reminders_paused=True)
    turn.hint = content.text("safety.reminders", "quiet")


def _neutral_reminders(event: EventData) -> None:
    turn = model_of(event)
    turn.profile = replace(turn.profile, discreet=True)
    turn.hint = content.text("safety.reminders", "neutral")


def _later(event: EventData) -> None:
    model_of(event).say(content.text("safety.later"))


FLOW = Flow(
    name="safety",
    version=1,
    needs_consent=False,
    states=[
        State("check", render=_check, again="safety.again"),
        State("urgent", render=_urgent, again="safety.again"),
        State("ground"),
        State("steadier"),
        State("after", render=_after),
        State("resume_check"),
    ],
    transitions=[
        {
            "trigger": "text",
            "source": ["check", "urgent"],
            "dest": None,
            "conditions": _a_country,
            "before": _set_country,
        },
        {
            "trigger": "pick",
            "source": ["check", "urgent"],
            "dest": "after",
            "conditions": value_is("safe"),
        },
        {  # "idk", "a little better i guess": met gently, and asked again (only "safe" is safe)
            "trigger": "text",
            "source": ["check", "urgent", "steadier", "resume_check"],
            "dest": None,
            "conditions": says("unsure"),
            "before": _unsure,
        },
        {  # "Are you safe right now?" answered in words
            "trigger": "text",
            "source": "check",
            "dest": "after",
            "conditions": says("safe"),
        },
        {
            "trigger": "text",
            "source": "urgent",
            "dest": "after",
            "conditions": says_safe_plainly,
        },
        {
            "trigger": "text",
            "source": ["check", "ground"],
            "dest": "urgent",
            "conditions": says("unsafe"),
        },
        {
            "trigger": "pick",
            "source": ["check", "ground"],
            "dest": "urgent",
            "conditions": value_is("unsafe"),
        },
        {
            "trigger": "pick",
            "source": ["check", "urgent"],
            "dest": "ground",
            "conditions": value_is("ground"),
        },
        {  # steadier is not safe: only "I'm safe" counts, so ask again, gently
            "trigger": "pick",
            "source": "ground",
            "dest": "steadier",
            "conditions": value_is("steadier"),
        },
        {
            "trigger": "pick",
            "source": "steadier",
            "dest": "after",
            "conditions": value_is("safe"),
        },
        {
            "trigger": "text",
            "source": "steadier",
            "dest": "after",
            "conditions": says_safe_plainly,
        },
        {
            "trigger": "pick",
            "source": "steadier",
            "dest": "urgent",
            "conditions": value_is("unsafe"),
        },
        {
            "trigger": "text",
            "source": "steadier",
            "dest": "urgent",
            "conditions": says("unsafe"),
        },
        {
            "trigger": "pick",
            "source": "steadier",
            "dest": "ground",
            "conditions": value_is("ground"),
        },
        {
            "trigger": "pick",
            "source": ["check", "after"],
            "dest": END,
            "conditions": value_is("plan"),
            "before": then("safetyplan"),
        },
        {
            "trigger": "pick",
            "source": "after",
            "dest": None,
            "conditions": value_is("quiet"),
            "before": _quiet_reminders,
        },
        {
            "trigger": "pick",
            "source": "after",
            "dest": None,
            "conditions": value_is("neutral"),
            "before": _neutral_reminders,
        },
        {
            "trigger": "pick",
            "source": "after",
            "dest": END,
            "conditions": value_is("resume"),
            "before": then("resume"),
        },
        {
            "trigger": "pick",
            "source": ["after", "resume_check"],
            "dest": END,
            "conditions": value_is("later"),
            "before": _later,
        },
        # /resume asks first: coaching about the relationship comes back only after "I'm safe".
        {
            "trigger": "pick",
            "source": "resume_check",
            "dest": END,
            "conditions": value_is("safe"),
            "before": then("resume"),
        },
        {
            "trigger": "text",
            "source": "resume_check",
            "dest": END,
            "conditions": says_safe_plainly,
            "before": then("resume"),
        },
        {
            "trigger": "pick",
            "source": "resume_check",
            "dest": "urgent",
            "conditions": value_is("unsafe"),
        },
        {
            "trigger": "text",
            "source": "resume_check",
            "dest": "urgent",
            "conditions": says("unsafe"),
        },
    ],
)

STEP = Step(flow=FLOW, name="safety")
