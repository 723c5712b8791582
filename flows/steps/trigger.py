"""/trigger: when old pain flares, slow down, name it calmly, and say what you need.

A trigger is a sign of a wound still healing, not a failure, so the step starts with an
optional pause to breathe, then walks through what happened, the old pain it touched, what
is needed now, and whether to ask for reassurance or for space. It ends with a message in
the person's own words that they may send — or not; nothing here pushes them to.

The message is written to the partner: "he checked his phone" becomes "you checked your
phone" where it is clear who the partner is (`flows.language.address`), and what the person
wanted to do in the heat of it ("I wanted to grab it and smash it") is left out of it
(`flows.language.urges`). Those words are met kindly and stay in their own notes.

Where being with the partner is not safe (the individual track) or coaching is paused after
a crisis, the step stays a private one: no asking the partner for anything, and the words
are framed as a note to oneself, kept as they were written.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import Option, Profile, Reply, Slots
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    edit_menu,
    editing,
    forget,
    has_words,
    journal,
    model_of,
    step,
    store,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language import address, urges
from flows.steps.listen import tidy

PARTS = ("happened", "old_pain", "need_now", "ask")
SAVED = ("happened", "old_pain", "need_now", "message")
ASKS = ("reassure", "space", "neither")

_HAPPENED_LEAD = re.compile(
    r"^\s*(?:i\s+(?:just\s+)?(?:got|was|felt|feel|am|'m|’m)\s+triggered"
    r"(?:\s+(?:just\s+now|again))?(?:\s+(?:when|because|as))?|just\s+now,?|when|whenever)\s+",
    re.I,
)
_PAIN_LEAD = re.compile(
    r"^\s*(?:it\s+)?(?:reminded|reminds|took|takes)\s+me\s+(?:of|back\s+to)\s+", re.I
)
_NEED_LEAD = re.compile(
    r"^\s*(?:right\s+now,?\s+)?(?:i\s+)?(?:need|want|would\s+like|'d\s+like|’d\s+like)\s+", re.I
)


def for_two(profile: Profile) -> bool:
    """Whether asking the partner for something belongs in this step for this person: for
    two people working on it together, and not for the one who broke the trust, since asking
    the hurt partner to soothe their trigger turns the repair around. Their notes stay theirs."""
    return policy.for_two(profile) and profile.role != "broke"


_NO_LEAD = re.compile(r"(?!)")
_MID_SENTENCE = re.compile(r"^You\b")  # "when You've been…" reads "when you've been…"
_THIRD = re.compile(r"\b(?:he|she|him|his|her|hers)\b", re.I)
_TO_PARTNER = ("happened", "old_pain", "need_now")


AS_WRITTEN = "_as_written"
"""Set when the person chose to keep "he"/"she" as they wrote it."""


@dataclass(frozen=True, slots=True)
class _Draft:
    """The message's parts as words to the partner, and what was done to get there."""

    parts: Slots
    left_out: tuple[str, ...]  # the urges taken out
    turned: str  # "he" or "she" when that was turned to "you", else ""
    unsure: bool  # "he"/"she" is in it and there is no telling which is the partner


_TO_LEAD = re.compile(r"^\s*(?:honestly|tbh|just|really|i need|i want)?[\s,]*(?:to\s+)?", re.I)
"""A need answered as an act ("honestly to go round and…") is read as "I want to …"."""
_UNSURE_LEAD = re.compile(r"^\s*(?:idk|i don'?t know|i dont know|dunno|not sure)\b[\s.,!?-]*", re.I)
""""idk. for her not to…": what they are unsure of stays in their notes, not in the message."""


def _for_partner(slots: Slots) -> _Draft:
    """Their parts as words to the partner: urges left out, "he"/"she" turned to "you"
    (unless they chose to keep their wording)."""
    parts: Slots = dict(slots)
    left_out: list[str] = []
    for part in ("happened", "old_pain", "need_now"):
        if parts.get(part):
            # What happened may be an act ("drove past his house"): only wanting is left out.
            kept, found = urges.split(_UNSURE_LEAD.sub("", parts[part]), acts=part != "happened")
            if part == "need_now" and kept and urges.is_urge(f"i want to {_TO_LEAD.sub('', kept)}"):
                found, kept = (*found, kept), ""  # "to go round and smash his windscreen in"
            left_out += found
            parts[part] = tidy(kept, _NO_LEAD) if kept else ""
    present = [p for p in _TO_PARTNER if parts.get(p)]
    written = [parts[p] for p in present]
    gender = address.partner_pronouns(written)
    unsure = gender is None and bool(_THIRD.search(" ".join(written)))
    if slots.get(AS_WRITTEN):
        return _Draft(parts, tuple(left_out), "", False)
    turned = address.to_partner(written)
    for part, words in zip(present, turned, strict=True):
        parts[part] = _MID_SENTENCE.sub(lambda m: m.group(0).lower(), words, count=1)
    changed = gender is not None and any(
        _THIRD.search(a) and a != b for a, b in zip(written, turned, strict=True)
    )
    return _Draft(parts, tuple(left_out), gender if gender and changed else "", unsure)


def message(slots: Slots, *, to_partner: bool = True) -> str:
    """Their answers joined into something they could send, skipping what they left out.

    To the partner it speaks to them and leaves urges out; as a note to oneself (where the
    partner is not part of this) it keeps every word as written.
    """
    parts = _for_partner(slots).parts if to_partner else slots
    lines = [
        content.text("trigger.message", part, **parts)
        for part in ("happened", "old_pain", "need_now")
        if parts.get(part)
    ]
    if to_partner and slots.get("ask") in ("reassure", "space"):
        lines.append(content.text("trigger.message", slots["ask"]))
    return " ".join(lines)


# --- conditions and actions ----------------------------------------------------------------------


def _together(event: EventData) -> bool:
    return for_two(model_of(event).profile)


def _alone(event: EventData) -> bool:
    return not for_two(model_of(event).profile)


def _tidied(slot: str, lead: re.Pattern[str]) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[slot] = tidy(value_of(event), lead)

    return keep


def _picked_need(event: EventData) -> None:
    label = content.options("trigger.need_now").get(value_of(event), "")
    model_of(event).slots["need_now"] = label


def _keep_wording(event: EventData) -> None:
    model_of(event).slots[AS_WRITTEN] = "1"


def _compose(event: EventData) -> None:
    turn = model_of(event)
    turn.slots["message"] = message(turn.slots, to_partner=for_two(turn.profile))


def _urge_met(slot: str) -> Callback:
    """What they wanted to do in the moment is met kindly, and they learn where it goes."""

    def meet(event: EventData) -> None:
        turn = model_of(event)
        if not urges.split(turn.slots.get(slot, ""))[1]:
            return
        said = content.section("trigger.urge")
        lines = said["partner" if for_two(turn.profile) else "self"]
        index = zlib.crc32(turn.slots[slot].encode("utf-8")) % len(lines)
        turn.hint = str(lines[index])

    return meet


def _saved(event: EventData) -> None:
    """The message again on its own, so it is easy to copy; only where a partner is in view."""
    turn = model_of(event)
    if for_two(turn.profile):
        turn.say(content.text("trigger.saved"))
        turn.say(turn.slots["message"])
    else:
        turn.say(content.text("trigger.saved_self"))


# --- prompts -------------------------------------------------------------------------------------


def _review(flow: Flow, turn: Turn) -> Reply:
    """The message, and a word on what was done to it: urges left out, "he" turned to "you"
    (with a way to keep their own wording), or "he"/"she" left because it was unclear."""
    together = for_two(turn.profile)
    shown = flow.plain_prompt(
        "review",
        turn.slots,
        section=None if together else "review_self",
        message=message(turn.slots, to_partner=together),
    )
    if not together:
        return shown
    draft = _for_partner(turn.slots)
    copy = content.section("trigger.review")
    notes, options = [], list(shown.options)
    if draft.left_out:
        notes.append(copy["left_out"])
    if draft.turned:
        notes.append(copy["turned"].format(word=draft.turned))
        options.append(
            Option(flow.key("review", "as_written"), copy["keep_mine"].format(word=draft.turned))
        )
    elif turn.slots.get(AS_WRITTEN):
        options.append(Option(flow.key("review", "to_you"), copy["to_you"]))
    elif draft.unsure:
        notes.append(copy["unsure"])
    return Reply("\n\n".join([shown.text, *notes]), tuple(options))


def _edit(flow: Flow, turn: Turn) -> Reply:
    """The parts to change; what to ask the partner is offered only where that belongs."""
    shown = flow.plain_prompt("edit", turn.slots)
    if for_two(turn.profile):
        return shown
    asked = flow.key("edit", "ask")
    return Reply(shown.text, tuple(o for o in shown.options if o.key != asked))


# --- transitions ---------------------------------------------------------------------------------


def _need() -> list[dict[str, Any]]:
    """A need offered as buttons, "something else" to type one, or typed straight away.

    Then the question of what to ask for — unless the partner is not part of this step.
    """
    offered = tuple(k for k in content.options("trigger.need_now") if k != "other")
    out: list[dict[str, Any]] = [
        {
            "trigger": "pick",
            "source": "need_now",
            "dest": "need_now_own",
            "conditions": value_is("other"),
        }
    ]
    for dest, who in (("ask", _together), ("review", _alone)):
        out += step(
            "pick",
            "need_now",
            dest,
            when=[value_is(*offered), who],
            do=[_picked_need],
            review="review",
        )
        out += step(
            "text",
            ["need_now", "need_now_own"],
            dest,
            when=[has_words, who],
            do=[_tidied("need_now", _NEED_LEAD)],
            review="review",
        )
    return out


FLOW = Flow(
    name="trigger",
    version=1,
    states=[
        State("pause"),
        State("breathe"),
        State("happened"),
        State("old_pain"),
        State("need_now"),
        State("need_now_own"),
        State("ask"),
        State("review", render=_review),
        State("edit", render=_edit),
    ],
    transitions=[
        {
            "trigger": "pick",
            "source": "pause",
            "dest": "breathe",
            "conditions": value_is("breathe"),
        },
        {
            "trigger": "pick",
            "source": "pause",
            "dest": "happened",
            "conditions": value_is("straight"),
        },
        {
            "trigger": "pick",
            "source": "breathe",
            "dest": "happened",
            "conditions": value_is("ready"),
        },
        *step(
            "text",
            "happened",
            "old_pain",
            when=[has_words],
            do=[_tidied("happened", _HAPPENED_LEAD), _urge_met("happened")],
            review="review",
        ),
        *step(
            "text",
            "old_pain",
            "need_now",
            when=[has_words],
            do=[_tidied("old_pain", _PAIN_LEAD), _urge_met("old_pain")],
            review="review",
        ),
        *step(
            "pick",
            "old_pain",
            "need_now",
            when=[value_is("skip")],
            do=[forget("old_pain")],
            review="review",
        ),
        *_need(),
        *step("pick", "ask", "review", when=[value_is(*ASKS)], do=[store("ask")], review="review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [_compose, journal("trigger", SAVED), _saved],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "review",
            "conditions": [value_is("as_written"), _together],
            "before": _keep_wording,
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "review",
            "conditions": [value_is("to_you"), _together],
            "before": forget(AS_WRITTEN),
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "happened",
            "conditions": value_is("restart"),
            "before": forget(*PARTS, "message", "_editing", AS_WRITTEN),
        },
        *edit_menu("edit", PARTS[:3], "review"),
        {
            "trigger": "pick",
            "source": "edit",
            "dest": "ask",
            "conditions": [value_is("ask"), _together],
            "before": editing,
        },
    ],
)

STEP = Step(
    flow=FLOW,
    name="trigger",
    command="trigger",
    place=70,
    on_map=True,
    kinds=("trigger",),
    roles=("hurt",),
    topic="trigger",
)
