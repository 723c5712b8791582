"""The shape many steps share: a few written answers, a review, then save, change or restart.

/hurt, /selftrust and /grow differ only in their questions and words; building them here
keeps each step's module to what is its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.core import content, heard
from flows.core.contract import Reply
from flows.core.machine import (
    END,
    Flow,
    State,
    Turn,
    edit_menu,
    forget,
    has_words,
    journal,
    say,
    step,
    store,
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
    name: str,
    parts: Sequence[str],
    *,
    skippable: Sequence[str] = (),
    listen: Mapping[str, heard.Listen] | None = None,
    follow_up: Collection[str] = (),
    **flow: Any,
) -> Flow:
    """States `parts…`, "review" and "edit"; copy under `<name>.<part>`, `.review`, `.saved`,
    `.skipped`; saved to the journal as kind `name`.

    A part in `listen` is met with a line said back before the next question; a part in
    `follow_up` asks once more after a vague or sweeping answer (`flows.core.heard`), in a
    state `<part>_again` with copy under `<name>.<part>_again`.
    """
    names = tuple(parts)
    SHAPES[name] = Shape(names, tuple(skippable))
    following = [*names[1:], "review"]
    listen = listen or {}
    extra: list[State] = []

    def review(built: Flow, turn: Turn) -> Reply:
        skipped = content.text(f"{name}.skipped")
        shown = {part: turn.slots.get(part) or skipped for part in names}
        return built.plain_prompt("review", turn.slots, **shown)

    transitions: list[dict[str, Any]] = []
    for part, dest in zip(names, following, strict=True):
        said = [heard.say_back(listen[part])] if part in listen else []
        if part in follow_up:
            transitions += heard.follow_up(part)
            transitions += step(
                "text",
                heard.again(part),
                dest,
                when=[has_words],
                do=[store(part), forget(heard.AGAIN), *said],
                review="review",
            )
            extra.append(State(heard.again(part), render=heard.again_prompt))
        transitions += step(
            "text", part, dest, when=[has_words], do=[store(part), *said], review="review"
        )
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
            "before": forget(*names, "_editing", heard.AGAIN, heard.HEARD),
        },
        *edit_menu("edit", names, "review"),
    ]
    states = [*(State(p) for p in names), *extra, State("review", render=review), State("edit")]
    return Flow(
        name=name, version=flow.pop("version", 1), states=states, transitions=transitions, **flow
    )
