"""What a step is: one module in `flows/steps/`, declaring itself with `STEP = Step(...)`.

"Step" means exactly this: one conversation (or one view, like /progress) and what the rest
of Mend needs to know about it. The command menu, /help, the journey map (/steps), the
journal's labels, /progress, which daily questions suit whom, and which exercises are for
two are all read from these declarations (`flows.steps.registry`), never listed again.
A step's words live in its content file: `[<name>.command]` holds `text` (the menu line)
and, for a step on the map, `about` (its line there); `[<name>.journal]` names what it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.core.contract import Memory, Reply, Role
from flows.core.machine import Flow

Show = Callable[[Memory], Sequence[Reply]]


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    flow: Flow | None = None
    command: str | None = None  # the slash command that opens it
    place: int = 1000  # its order in the menu, and on the map when `on_map`
    on_map: bool = False  # a step of the journey (/steps shows it, marks it visited)
    kinds: tuple[str, ...] = ()  # journal kinds it saves (labelled by `[<name>.journal]`)
    marks: tuple[str, ...] = ()  # further journal kinds that mean "been here"
    roles: tuple[Role, ...] = ()  # whom it suits first: suggested next, daily question focus
    topic: str | None = None  # the daily questions that belong to it (prompts_en.toml)
    show: Show | None = None  # a step that only shows something (no conversation)

    def __post_init__(self) -> None:
        if (self.flow is None) == (self.show is None):
            raise ValueError(f"step {self.name}: give a flow or a view, not both or neither")

    @property
    def for_two(self) -> bool:
        """An exercise for two: paused after a crisis, never offered on the individual track."""
        return self.flow is not None and self.flow.couples

    @property
    def about_us(self) -> bool:
        """Assumes a couple working on it together: closed on the individual track."""
        return self.flow is not None and self.flow.about_us

    @property
    def visited_by(self) -> tuple[str, ...]:
        return (*self.kinds, *self.marks)


__all__ = ["Show", "Step"]
