"""Meeting what someone wrote before asking the next thing.

Two moves, shared by every step that asks for words that matter:

* **Saying back a little of it.** After "what happened?" or a check-in note, a short line
  built from the gist (`flows.language.gist`): their own feeling words, how long it went on,
  or the kind of hurt, in a few words and never more than a couple of theirs. The lines are
  copy (`[heard]` in ``content/en/heard.toml``), several per case; the person's words choose
  one, so the same words get the same line (tests stay stable) and different hurts get
  different openings; the line just said (kept in the slot ``_heard``) is not said again
  straight after.
* **One gentle follow-up.** An answer to "one thing you will do" that is vague ("idk", "be
  better") or sweeping ("I'll be perfect from now on") is asked about once more, in a state
  of its own (``<part>_again``), with an example; whatever comes back there is kept, so no
  one is nagged. The rule that tells them apart is `flows.language.commitment`.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply
from flows.core.machine import Callback, Flow, Turn, has_words, model_of, value_of
from flows.language import commitment, gist

HEARD: Final = "_heard"
"""Slot: the id of the line said back last ("<group>.<index>"), so it is not said twice."""

AGAIN: Final = "_again"
"""Slot: why the follow-up was asked ("vague" or "sweeping"), read by its prompt."""

Aspect = Literal["feelings", "duration", "kind", "hard"]
MOST_FEELINGS: Final = 2


@dataclass(frozen=True, slots=True)
class Listen:
    """What to say back to one answer: the first of `aspects` its gist has, else `fallback`
    (a group in `[heard]`; empty: say nothing)."""

    aspects: tuple[Aspect, ...]
    fallback: str = ""


def _groups(found: gist.Gist, listen: Listen) -> tuple[str, dict[str, str]] | None:
    """The group of lines that fits, with the words to fill them."""
    for aspect in listen.aspects:
        if aspect == "feelings" and found.feelings:
            hard = found.hard_feelings
            words = (hard or found.feelings)[:MOST_FEELINGS]
            return ("feelings_hard" if hard else "feelings_bright"), {
                "feelings": " and ".join(words)
            }
        if aspect == "duration" and found.duration is not None:
            group = "count" if found.duration.form == "count" else "span"
            return group, {"duration": found.duration.shown}
        if aspect == "kind":
            return found.kind, {}
        if aspect == "hard" and found.hard:
            return found.hard[0], {}
    return (listen.fallback, {}) if listen.fallback else None


class _Blank(dict[str, str]):
    """A placeholder with nothing to fill renders empty rather than failing mid-chat."""

    def __missing__(self, key: str) -> str:
        return ""


def _fill(line: str, values: dict[str, str]) -> str:
    """`{duration}` as said; `{Duration}` the same, opening a sentence."""
    filled = _Blank(values)
    for name, value in values.items():
        filled[name.capitalize()] = value[:1].upper() + value[1:]
    return line.format_map(filled)


def line_for(text: str, listen: Listen, last: str = "") -> tuple[str, str] | None:
    """(what to say, its id) for `text`, or None when there is nothing to say back."""
    found = gist.read(text)
    if gist.by_writer(text):  # "I lied to him": not a hurt done to them, so not met as one
        found = dataclasses.replace(found, kind="other", duration=None)
    chosen = _groups(found, listen)
    if chosen is None:
        return None
    group, values = chosen
    lines: Sequence[Any] = content.section("heard")[group]
    pick = zlib.crc32(" ".join(gist.tokens(text)).encode("utf-8")) % len(lines)
    if f"{group}.{pick}" == last and len(lines) > 1:
        pick = (pick + 1) % len(lines)
    return _fill(str(lines[pick]), values), f"{group}.{pick}"


def say_back(listen: Listen) -> Callback:
    """A transition's `before`: say a line back to the text just written."""

    def speak(event: EventData) -> None:
        turn = model_of(event)
        found = line_for(value_of(event), listen, turn.slots.get(HEARD, ""))
        if found is not None:
            turn.say(found[0])
            turn.slots[HEARD] = found[1]

    return speak


# --- the one follow-up ------------------------------------------------------------------------


def vague(event: EventData) -> bool:
    """The answer gives nothing to picture doing ("idk", "be better")."""
    return commitment.classify(value_of(event)) == "vague"


def sweeping(event: EventData) -> bool:
    """The answer is a promise without edges ("I'll be perfect from now on")."""
    return commitment.classify(value_of(event)) == "sweeping"


_ASKED_AGAIN: Final[dict[commitment.Label, Callback]] = {"vague": vague, "sweeping": sweeping}


def _mark(label: commitment.Label) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[AGAIN] = label

    return keep


def again(state: str) -> str:
    """The state that asks the follow-up about `state`'s answer."""
    return f"{state}_again"


def follow_up(state: str, *, when: Sequence[Callback] = ()) -> list[dict[str, Any]]:
    """Transitions that come before `state`'s own answer: a vague or sweeping one is asked
    about once more in `again(state)` (whose own answer is then kept, whatever it is).
    `when` narrows it further (an answer with an excuse is checked for that first)."""
    return [
        {
            "trigger": "text",
            "source": state,
            "dest": again(state),
            "conditions": [has_words, *when, check],
            "before": _mark(label),
        }
        for label, check in _ASKED_AGAIN.items()
    ]


def again_prompt(flow: Flow, turn: Turn) -> Reply:
    """The follow-up, worded for why it is asked (`[<flow>.<part>_again]` keys `vague`,
    `sweeping`)."""
    why = turn.slots.get(AGAIN, "vague")
    return Reply(content.text(f"{flow.name}.{turn.state}", why, **turn.slots))


__all__ = ["AGAIN", "HEARD", "Listen", "again", "again_prompt", "follow_up", "line_for", "say_back"]
