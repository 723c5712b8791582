"""The "rewrite it / keep it" step: words checked before they are kept.

/own checks an apology for excuses and /listen a reflection for defences; both then show
the person what was noticed and let them rewrite or keep their words, the same way. The
person decides, so a rare false alarm costs one tap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from transitions import EventData

from flows.core import content
from flows.core.contract import Reply
from flows.core.machine import (
    Callback,
    Flow,
    Turn,
    forget,
    has_words,
    model_of,
    step,
    value_is,
    value_of,
)
from flows.language import answers

Finder = Callable[[str], tuple[str, ...]]
"""A language check: the names of what it found in some words (empty: nothing)."""

DRAFT = "draft"
"""The slot holding words that are waiting for "rewrite or keep"."""


def noticed(flow: str, table: str, found: Sequence[str]) -> str:
    """One kind line per finding, from `[<flow>.<table>]`, or the general line."""
    known = content.section(f"{flow}.{table}")
    lines = [f"• {known[name]}" for name in found if name in known]
    return "\n".join(lines or [f"• {known['other']}"])


def check_prompt(table: str, find: Finder) -> Callable[[Flow, Turn], Reply]:
    """The check state's prompt: their words back, and what was noticed in them.

    Built from the parked draft each time, so /back or a stale button shows it whole.
    """

    def render(flow: Flow, turn: Turn) -> Reply:
        draft = turn.slots.get(DRAFT, "")
        return flow.plain_prompt(
            turn.state,
            turn.slots,
            section="check",
            draft=draft,
            noticed=noticed(flow.name, table, find(draft)),
        )

    return render


def _clear(find: Finder) -> Callback:
    def check(event: EventData) -> bool:
        return not find(value_of(event))

    return check


def _keeps_as_is(event: EventData) -> bool:
    return answers.keeps_as_is(value_of(event))


def _park(event: EventData) -> None:
    model_of(event).slots[DRAFT] = value_of(event).strip()


def _keep_draft(slot: str, shape: Callable[[str], str]) -> Callback:
    def keep(event: EventData) -> None:
        slots = model_of(event).slots
        slots[slot] = shape(slots.pop(DRAFT, ""))

    return keep


def _keep_typed(slot: str, shape: Callable[[str], str]) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[slot] = shape(value_of(event))

    return keep


def checked(
    state: str,
    dest: str,
    find: Finder,
    *,
    slot: str | None = None,
    shape: Callable[[str], str] = str.strip,
    review: str = "review",
    also: Sequence[str] = (),
    on_park: Sequence[Callback] = (),
) -> list[dict[str, Any]]:
    """A free-text answer that is checked before it is kept.

    Clear words move on to `dest`. Words with findings wait in `<state>_check`, which shows
    what was noticed and offers "write it again" (back to the question) or "keep it as it
    is"; typing there is a new version, checked again. While editing, the answer returns to
    the review instead of moving on. `also` names further states that ask the same question
    another way (a "type your own" after buttons); `on_park` runs as words are parked.
    """
    check = f"{state}_check"
    slot = slot or state
    sources = [state, *also, check]
    return [
        *step(  # "nah its true": an answer to the question, not a new version of the words
            "text",
            check,
            dest,
            when=[_keeps_as_is],
            do=[_keep_draft(slot, shape)],
            review=review,
        ),
        *step(
            "text",
            sources,
            dest,
            when=[has_words, _clear(find)],
            do=[_keep_typed(slot, shape), forget(DRAFT)],
            review=review,
        ),
        {
            "trigger": "text",
            "source": sources,
            "dest": check,
            "conditions": [has_words],
            "before": [_park, *on_park],
        },
        *step(
            "pick",
            check,
            dest,
            when=[value_is("keep")],
            do=[_keep_draft(slot, shape)],
            review=review,
        ),
        {
            "trigger": "pick",
            "source": check,
            "dest": state,
            "conditions": value_is("rewrite"),
            "before": forget(DRAFT),
        },
    ]
