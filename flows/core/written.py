"""The shape many steps share: a few written answers, a review, then save, change or restart.

/hurt, /selftrust and /grow differ only in their questions and words; building them here
keeps each step's module to what is its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.core import content
from flows.core.contract import Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    answer,
    edit_menu,
    forget,
    journal,
    say,
    step,
    value_is,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What a written step asks, for whoever needs to know it (the shared test kit)."""

    parts: tuple[str, ...]
    skippable: tuple[str, ...]


SHAPES: dict[str, Shape] = {}
"""Flow name → shape of every step this builder made (filled as each step module loads)."""


def written_step(
    name: str, parts: Sequence[str], *, skippable: Sequence[str] = (), **flow: Any
) -> Flow:
    """States `parts…`, "review" and "edit"; copy under `<name>.<part>`, `.review`, `.saved`,
    `.skipped`; saved to the journal as kind `name`."""
    names = tuple(parts)
    SHAPES[name] = Shape(names, tuple(skippable))
    following = [*names[1:], "review"]

    def review(built: Flow, turn: Turn) -> Reply:
        skipped = content.text(f"{name}.skipped")
        shown = {part: turn.slots.get(part) or skipped for part in names}
        return built.plain_prompt("review", turn.slots, **shown)

    transitions: list[dict[str, Any]] = []
    for part, dest in zip(names, following, strict=True):
        transitions += answer(part, dest, part, review="review")
        if part in skippable:
            transitions += step(
                "pick", part, dest, when=[value_is("skip")], do=[forget(part)], review="review"
            )
    transitions += [
        {
            "trigger": "pick",
            "source": "review",
            "dest": END,
            "conditions": value_is("save"),
            "before": [journal(name, names), say(f"{name}.saved")],
        },
        {"trigger": "pick", "source": "review", "dest": "edit", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "review",
            "dest": names[0],
            "conditions": value_is("restart"),
            "before": forget(*names, "_editing"),
        },
        *edit_menu("edit", names, "review"),
    ]
    states = [*(State(p) for p in names), State("review", render=review), State("edit")]
    return Flow(
        name=name, version=flow.pop("version", 1), states=states, transitions=transitions, **flow
    )
