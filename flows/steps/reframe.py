"""/reframe: from "You always…" to "I felt [feeling] when [event], because I need [need]".

Blame makes the other person defend; an honest statement of one's own feeling and need can
be heard. The analyser explains what it noticed, the person keeps every bit of what they
mean, and an already honest statement is affirmed at once rather than re-worked.
"""

from __future__ import annotations

import re
from typing import Any

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import JournalRecord, PartnerRecord, Reply, Slots
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    edit_menu,
    forget,
    has_words,
    model_of,
    step,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language.blame import analyse, by_rules

PARTS = ("feeling", "event", "need")
_ALL = ("statement", "mode", *PARTS, "event_draft", "_editing")

_FEELING_LEAD = re.compile(
    r"^\s*(?:i\s+(?:felt|feel|was|am|'m)|i'm|felt|feel|feeling|am|was)\s+", re.I
)
_EVENT_LEAD = re.compile(r"^\s*(?:when|whenever)\s+", re.I)
_NEED_LEAD = re.compile(
    r"^\s*(?:because|cause|i\s+(?:need|needed|want|wanted|would\s+like|'d\s+like)|"
    r"need|needed|want)\s+",
    re.I,
)
_TRAIL = re.compile(r"[\s.,;:!?…]+$")
_NOT_A_FEELING = re.compile(r"^\s*(?:like|that|as\s+if|as\s+though)\b", re.I)
_LOWER_FIRST = frozenset(
    [
        "he",
        "she",
        "they",
        "you",
        "we",
        "it",
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "his",
        "her",
        "their",
        "this",
        "that",
        "there",
    ]
)
FEELING_WORDS = 8
NEED_WORDS = 16


def _clean(pattern: re.Pattern[str], value: str) -> str:
    """Drop every lead-in the template already says ("I felt", "when", "because I need").

    Phones type curly apostrophes, and people repeat themselves ("I am feeling…"), so the
    lead-ins are stripped until none is left; the end loses its punctuation, and a first
    pronoun or article is lower-cased so the part sits inside the sentence.
    """
    text = value.strip().replace("’", "'")
    while True:
        shorter = pattern.sub("", text, count=1)
        if shorter == text:
            break
        text = shorter
    text = _TRAIL.sub("", text).strip()
    if not text:
        return value.strip()
    first, _, rest = text.partition(" ")
    if first.casefold() in _LOWER_FIRST or (not rest and first[1:].islower()):
        text = first.lower() + (" " + rest if rest else "")
    return text


def statement(slots: Slots) -> str:
    return content.text("reframe.statement", **{p: slots.get(p, "") for p in PARTS})


# --- validators ------------------------------------------------------------------------------


def _honest(event: EventData) -> bool:
    return analyse(value_of(event)).kind == "i_statement"


def _a_feeling(event: EventData) -> bool:
    """A feeling is a word or two about oneself; a thought about them gets a gentle redirect.

    Read as the sentence it will become ("I felt …"), so "like you don't care" shows itself
    as the thought it is.
    """
    feeling = _clean(_FEELING_LEAD, value_of(event))
    found = analyse("I felt " + feeling)
    if (
        not any(ch.isalpha() for ch in feeling)
        or _NOT_A_FEELING.match(feeling)
        or found.kind == "blame"
        or "feel_like_you" in found.signals
        or len(value_of(event).split()) > FEELING_WORDS
    ):
        model_of(event).hint = content.text("reframe.not_a_feeling")
        return False
    return True


def _a_need(event: EventData) -> bool:
    if len(value_of(event).split()) > NEED_WORDS:
        model_of(event).hint = content.text("reframe.need_own", "hint")
        return False
    return True


def _not_blame(event: EventData) -> bool:
    """The rules read the moment alone (a jab shows wherever it is); the model reads it inside
    the sentence it will become ("I felt … when …"), where a plain fact about what they did
    reads as the fact it is."""
    feeling = model_of(event).slots.get("feeling", "hurt")
    moment = _clean(_EVENT_LEAD, value_of(event))
    if by_rules(moment).kind == "blame":
        return False
    return analyse(f"I felt {feeling} when {moment}").kind != "blame"


# --- actions ---------------------------------------------------------------------------------


def _keep_own(event: EventData) -> None:
    model_of(event).slots["statement"] = value_of(event).strip()
    model_of(event).slots["mode"] = "own"
    model_of(event).hint = content.text("reframe.honest")


def _explain(event: EventData) -> None:
    """Say gently what was noticed, naming each signal in plain words."""
    found = analyse(value_of(event))
    if found.kind != "blame":
        model_of(event).hint = content.text("reframe.neutral")
        return
    known = content.section("reframe.signals")
    lines = dict.fromkeys(f"• {known[s]}" for s in found.signals if s in known)
    shown = list(lines) or [f"• {known['other']}"]
    model_of(event).hint = "\n".join(
        [content.text("reframe.blame"), *shown, "", content.text("reframe.blame", "footer")]
    )


def _typed(name: str, pattern: re.Pattern[str]) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[name] = _clean(pattern, value_of(event))

    return keep


def _picked(name: str, state: str) -> Callback:
    """Keep the option's words, not its key, so the statement reads naturally."""

    def keep(event: EventData) -> None:
        model_of(event).slots[name] = content.options(f"reframe.{state}").get(value_of(event), "")

    return keep


def _park_event(event: EventData) -> None:
    model_of(event).slots["event_draft"] = value_of(event).strip()


def _keep_parked(event: EventData) -> None:
    slots = model_of(event).slots
    slots["event"] = _clean(_EVENT_LEAD, slots.pop("event_draft", ""))


def _save(event: EventData) -> None:
    text = _final(model_of(event).slots)
    model_of(event).records.append(JournalRecord("statement", (("statement", text),)))
    model_of(event).say(content.text("reframe.saved"))


def _shape_own(event: EventData) -> None:
    model_of(event).slots.pop("mode", None)


# --- prompts ---------------------------------------------------------------------------------


def _final(slots: Slots) -> str:
    return slots["statement"] if slots.get("mode") == "own" else statement(slots)


def _review(flow: Flow, turn: Turn) -> Reply:
    if turn.slots.get("mode") == "own":
        reply = flow.plain_prompt("review", turn.slots, section="review_own")
    else:
        reply = flow.plain_prompt("review", turn.slots, statement=statement(turn.slots))
    if policy.may_share(turn.profile):
        return reply
    return Reply(reply.text, tuple(o for o in reply.options if not o.key.endswith(".send")))


def _share_preview(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("share_preview", {}, statement=_final(turn.slots))


def _may_share(event: EventData) -> bool:
    return policy.may_share(model_of(event).profile)


def _send(event: EventData) -> None:
    turn = model_of(event)
    text = _final(turn.slots)
    turn.records.append(JournalRecord("statement", (("statement", text),)))
    turn.records.append(PartnerRecord("share", kind="statement", text=text))


def _words(
    state: str, own: str, slot: str, dest: str, pattern: re.Pattern[str], check: Callback
) -> list[dict[str, Any]]:
    """A word offered as buttons, "another…" to type one, or typing it straight away."""
    offered = tuple(k for k in content.options(f"reframe.{state}") if k != "other")
    return [
        *step(
            "pick",
            state,
            dest,
            when=[value_is(*offered)],
            do=[_picked(slot, state)],
            review="review",
        ),
        {"trigger": "pick", "source": state, "dest": own, "conditions": value_is("other")},
        *step(
            "text",
            [state, own],
            dest,
            when=[has_words, check],
            do=[_typed(slot, pattern)],
            review="review",
        ),
    ]


def _event_check(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("event_check", turn.slots, section="event_blame")


FLOW = Flow(
    name="reframe",
    version=1,
    couples=True,
    states=[
        State("draft"),
        State("feeling"),
        State("feeling_own"),
        State("event"),
        State("event_check", render=_event_check),
        State("need"),
        State("need_own"),
        State("review", render=_review),
        State("share_preview", render=_share_preview),
        State("edit"),
    ],
    transitions=[
        {
            "trigger": "text",
            "source": "draft",
            "dest": "review",
            "conditions": [has_words, _honest],
            "before": _keep_own,
        },
        {
            "trigger": "text",
            "source": "draft",
            "dest": "feeling",
            "conditions": [has_words],
            "before": _explain,
        },
        *_words("feeling", "feeling_own", "feeling", "event", _FEELING_LEAD, _a_feeling),
        *step(
            "text",
            ["event", "event_check"],
            "need",
            when=[has_words, _not_blame],
            do=[_typed("event", _EVENT_LEAD), forget("event_draft")],
            review="review",
        ),
        {
            "trigger": "text",
            "source": ["event", "event_check"],
            "dest": "event_check",
            "conditions": [has_words],
            "before": _park_event,
        },
        *step(
            "pick",
            "event_check",
            "need",
            when=[value_is("keep")],
            do=[_keep_parked],
            review="review",
        ),
        *_words("need", "need_own", "need", "review", _NEED_LEAD, _a_need),
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": _save,
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": "feeling",
            "conditions": value_is("build"),
            "before": _shape_own,
        },
        {
            "trigger": "pick",
            "source": "review",
            "dest": "draft",
            "conditions": value_is("restart"),
            "before": forget(*_ALL),
        },
        *edit_menu("edit", PARTS, "review"),
        {
            "trigger": "pick",
            "source": "review",
            "dest": "share_preview",
            "conditions": [value_is("send"), _may_share],
        },
        {
            "trigger": "pick",
            "source": "share_preview",
            "dest": END,
            "conditions": [value_is("send"), _may_share],
            "before": _send,
        },
        {
            "trigger": "pick",
            "source": "share_preview",
            "dest": "review",
            "conditions": value_is("back"),
        },
    ],
)

STEP = Step(
    flow=FLOW,
    name="reframe",
    command="reframe",
    place=20,
    on_map=True,
    kinds=("statement",),
    roles=("both",),
    topic="reframe",
)
