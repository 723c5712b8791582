"""/reframe: from "You always…" to "I felt [feeling] when [moment], because I need [need]".

Blame makes the other person defend; an honest statement of one's own feeling and need can
be heard. The analyser explains what it noticed, the person keeps every bit of what they
mean, and an already honest statement is affirmed at once rather than re-worked.

Every part the person types is read for blame, not only the first message: a name slipped
into the moment ("like the coward you are") or a need that is a verdict ("you to stop being
a liar") would otherwise travel into the finished "I felt…" unchanged. Each part gets its
own nudge and an example, and the person may still keep their words.

Drafting is something one does alone, so a linked person may draft whatever /ready says;
only sending to the partner waits until both have said /ready (`policy.pace`), and the
statement stays on screen meanwhile.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
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
from flows.core.rewrite import DRAFT, checked
from flows.core.step import Step
from flows.language.blame import analyse, feeling_words, in_part, sweeping

PARTS = ("feeling", "event", "need")
NUDGES = "_nudges"
"""How many nudges this conversation has given, so a repeated one is worded afresh."""
_ALL = ("statement", "mode", *PARTS, DRAFT, "_editing")

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
LONG = "long"
UNSURE = "unsure"
_UNSURE_NEED = re.compile(
    r"^\s*(?:idk|i\s*don'?t\s*know|i dont know|dunno|not sure|no idea|nothing|whatever|\?+)"
    r"\s*[.!?]*\s*$",
    re.I,
)
"""The need check's finding for a need too long to be one."""

# Which note explains a signal, in a part (`[reframe.<part>_notes]`). Sweeping words have
# their own copy, one per word (`[reframe.sweeping]`).
_NOTE_OF = {
    UNSURE: UNSURE,
    "name_calling": "label",
    "you_are_trait": "label",
    "contempt": "label",
    "your_negative": "label",
    "you_too_much": "label",
    "mind_reading": "mind",
    "feel_like_you": "mind",
    "sarcasm": "tone",
    "passive_aggressive": "tone",
    "accusing_question": "tone",
    "complaint": "tone",
    "your_fault": "fault",
    "you_make_me": "fault",
    "punish": "punish",
    "change_them": "change",
    "you_should": "change",
    LONG: LONG,
}
_SWEEPING_SIGNALS = {"you_always", "you_never"}
_NEVER_WORDS = frozenset({"never", "not_once"})


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


# --- what was noticed, in words that vary ----------------------------------------------------


def _said(slots: Slots) -> int:
    try:
        return int(slots.get(NUDGES, "0"))
    except ValueError:
        return 0


def _count(event: EventData) -> None:
    slots = model_of(event).slots
    slots[NUDGES] = str(_said(slots) + 1)


def _pick(variants: Any, turn: int, seed: str) -> str:
    """One of several wordings: the same words typed again get the next one."""
    if isinstance(variants, str):
        return variants
    items = [str(v) for v in variants]
    return items[(turn + zlib.crc32(seed.encode("utf-8"))) % len(items)]


def _sweeping_lines(text: str, signals: Sequence[str], turn: int) -> list[str]:
    """Each sweeping word they used, explained in its own words ("always" is not "never")."""
    wanted = {s for s in signals if s in _SWEEPING_SIGNALS}
    copy = content.section("reframe.sweeping")
    lines = []
    for n, (kind, word) in enumerate(sweeping(text)):
        if ("you_never" if kind in _NEVER_WORDS else "you_always") not in wanted:
            continue
        shown = word.replace("24 7", "24/7")
        lines.append(_pick(copy[kind], turn + n, kind).format(word=shown))
    return lines


def _noticed(text: str, signals: Sequence[str], turn: int, table: str) -> list[str]:
    """Kind lines for what was found: one per sweeping word, then one per kind of note."""
    lines = _sweeping_lines(text, signals, turn)
    notes = content.section(table)
    seen = {_NOTE_OF[s] for s in signals if s in _NOTE_OF}
    lines += [_pick(notes[key], turn, text) for key in notes if key in seen]
    unexplained = any(s not in _NOTE_OF and s not in _SWEEPING_SIGNALS for s in signals)
    if not lines or (unexplained and not seen):
        lines.append(_pick(notes["other"], turn, text))
    return lines


def _suggestion(table: str, signals: Sequence[str], turn: int, seed: str) -> str:
    found = content.section(table)
    notes = [_NOTE_OF.get(s, "") for s in signals]
    if any(s in _SWEEPING_SIGNALS for s in signals) and not any(notes):
        key = "sweeping"
    else:
        key = next((n for n in notes if n in found), "other")
    return _pick(found.get(key, found["other"]), turn, seed)


# --- the parts -------------------------------------------------------------------------------


def _moment(text: str) -> tuple[str, ...]:
    return in_part("moment", text)


def _need(text: str) -> tuple[str, ...]:
    found = in_part("need", text)
    if len(text.split()) > NEED_WORDS:
        found = (*found, LONG)
    if _UNSURE_NEED.match(text):
        found = (*found, UNSURE)  # "idk": it is okay not to know; not pasted in as the need
    return found


_FINDERS: dict[str, Callable[[str], tuple[str, ...]]] = {"event": _moment, "need": _need}


def _honest(event: EventData) -> bool:
    return analyse(value_of(event)).kind == "i_statement"


def _a_feeling(event: EventData) -> bool:
    """A feeling is a word or two about oneself; a thought or a name for them is redirected.

    Read as the sentence it will become ("I felt …"), so "like you don't care" shows itself
    as the thought it is, and "betrayed by a lying cheater" as a feeling with a name in it;
    the feeling words they did type are offered back.
    """
    typed = value_of(event)
    feeling = _clean(_FEELING_LEAD, typed)
    found = in_part("feeling", feeling)
    thought = bool(_NOT_A_FEELING.match(feeling)) or "feel_like_you" in found
    if (
        any(ch.isalpha() for ch in feeling)
        and not thought
        and not found
        and len(typed.split()) <= FEELING_WORDS
    ):
        return True
    turn = model_of(event)
    copy = content.section("reframe.not_a_feeling")
    said = [content.text("reframe.not_a_feeling") if thought or not found else copy["label"]]
    named = feeling_words(feeling)
    if named and found:
        said.append(copy["named"].format(words="”, “".join(named[:2])))
    elif found:
        said.append(copy["ask"])
    turn.hint = " ".join(said)
    return False


# --- actions ---------------------------------------------------------------------------------


def _keep_own(event: EventData) -> None:
    model_of(event).slots["statement"] = value_of(event).strip()
    model_of(event).slots["mode"] = "own"
    model_of(event).hint = content.text("reframe.honest")


def _explain(event: EventData) -> None:
    """Say gently what was noticed, naming each signal in plain words."""
    turn = model_of(event)
    text = value_of(event)
    found = analyse(text)
    if found.kind != "blame":
        turn.hint = content.text("reframe.neutral")
        return
    said = _said(turn.slots)
    known = content.section("reframe.signals")
    lines = _sweeping_lines(text, found.signals, said)
    swept = bool(lines)
    for signal in found.signals:
        if signal in known and not (swept and signal in _SWEEPING_SIGNALS):
            lines.append(known[signal])
    shown = list(dict.fromkeys(f"• {line}" for line in lines)) or [f"• {known['other']}"]
    opening = _pick(content.section("reframe.blame")["openings"], said, text)
    turn.hint = "\n".join(
        [
            f"{opening} {content.text('reframe.blame')}",
            *shown,
            "",
            content.text("reframe.blame", "footer"),
        ]
    )
    _count(event)


def _typed(name: str, pattern: re.Pattern[str]) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[name] = _clean(pattern, value_of(event))

    return keep


def _shaped(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def shape(value: str) -> str:
        return _clean(pattern, value)

    return shape


def _picked(name: str, state: str) -> Callback:
    """Keep the option's words, not its key, so the statement reads naturally."""

    def keep(event: EventData) -> None:
        model_of(event).slots[name] = content.options(f"reframe.{state}").get(value_of(event), "")

    return keep


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


def _check(flow: Flow, turn: Turn) -> Reply:
    """Their words back, what was noticed in this part, and an example of another way."""
    part = turn.state.removesuffix("_check")
    draft = turn.slots.get(DRAFT, "")
    found = _FINDERS[part](draft)
    said = max(_said(turn.slots) - 1, 0)  # counted as the words were parked
    return flow.plain_prompt(
        turn.state,
        turn.slots,
        draft=draft,
        noticed="\n".join(
            f"• {line}" for line in _noticed(draft, found, said, f"reframe.{part}_notes")
        ),
        suggest=_suggestion(f"reframe.{part}_suggest", found, said, draft),
    )


# --- sending waits for both ------------------------------------------------------------------


def _may_share(event: EventData) -> bool:
    return policy.may_share(model_of(event).profile)


def _both_ready(event: EventData) -> bool:
    """Sending goes at the slower partner's pace; the statement stays here meanwhile."""
    turn = model_of(event)
    waits = policy.pace(turn.profile, turn.memory.partner_ready)
    if waits is None:
        return True
    turn.hint = content.text("reframe.send_waits", waits)
    return False


def _send(event: EventData) -> None:
    turn = model_of(event)
    text = _final(turn.slots)
    turn.records.append(JournalRecord("statement", (("statement", text),)))
    turn.records.append(PartnerRecord("share", kind="statement", text=text))


# --- transitions -----------------------------------------------------------------------------


def _words(
    state: str, own: str, slot: str, dest: str, pattern: re.Pattern[str], check: Callback
) -> list[dict[str, Any]]:
    """A word offered as buttons, "another…" to type one, or typing it straight away."""
    return [
        *_picks(state, own, slot, dest),
        *step(
            "text",
            [state, own],
            dest,
            when=[has_words, check],
            do=[_typed(slot, pattern)],
            review="review",
        ),
    ]


def _picks(state: str, own: str, slot: str, dest: str) -> list[dict[str, Any]]:
    """The buttons of a question whose typed answer is checked (`checked` types it)."""
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
    ]


FLOW = Flow(
    name="reframe",
    version=2,
    # Drafted alone: closed on the individual track and while paused, like all work on the
    # relationship, but it waits for nobody's /ready; only sending does (`_both_ready`).
    reconciling=True,
    states=[
        State("draft"),
        State("feeling"),
        State("feeling_own"),
        State("event"),
        State("event_check", render=_check),
        State("need"),
        State("need_own"),
        State("need_check", render=_check),
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
        *checked("event", "need", _moment, shape=_shaped(_EVENT_LEAD), on_park=[_count]),
        *_picks("need", "need_own", "need", "review"),
        *checked(
            "need",
            "review",
            _need,
            shape=_shaped(_NEED_LEAD),
            also=["need_own"],
            on_park=[_count],
        ),
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
            "conditions": [value_is("send"), _may_share, _both_ready],
        },
        {
            "trigger": "pick",
            "source": "share_preview",
            "dest": END,
            "conditions": [value_is("send"), _may_share, _both_ready],
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
