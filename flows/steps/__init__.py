"""Every conversation Mend has, one module each, found here by themselves.

A module that defines `STEP` (a `flows.core.step.Step`) is a step; helpers of several steps
live in `flows/core/`. Everything that lists steps (the menu, /help, the journey map, the
journal's labels, /progress, the daily questions' focus) asks the functions below, so a new
step is one module, one content file and one test, and shows up everywhere at once.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from flows.core.contract import Role
from flows.core.machine import Flow
from flows.core.step import Step


@cache
def discovered() -> tuple[Step, ...]:
    """All steps, in their declared order (then by name)."""
    found: list[Step] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        step = getattr(module, "STEP", None)
        if isinstance(step, Step):
            found.append(step)
    ordered = tuple(sorted(found, key=lambda s: (s.place, s.name)))
    _check(ordered)
    return ordered


def _check(found: tuple[Step, ...]) -> None:
    """Two steps claiming one name, command or journal kind is a mistake to see at once."""
    for what, values in (
        ("name", [s.name for s in found]),
        ("command", [s.command for s in found if s.command]),
        ("flow", [s.flow.name for s in found if s.flow]),
        ("journal kind", [k for s in found for k in s.kinds]),
    ):
        twice = {v for v in values if values.count(v) > 1}
        if twice:
            raise ValueError(f"more than one step declares the {what} {sorted(twice)}")


@cache
def flows() -> dict[str, Flow]:
    """Flow name → flow, for every step that is a conversation."""
    return {s.flow.name: s.flow for s in discovered() if s.flow is not None}


@cache
def by_command() -> dict[str, Step]:
    return {s.command: s for s in discovered() if s.command}


@cache
def mapped() -> tuple[Step, ...]:
    """The steps of the journey map, in the order that usually helps."""
    return tuple(s for s in discovered() if s.on_map and s.command)


@cache
def owner_of(kind: str) -> Step | None:
    """The step that saves a journal kind (for its label)."""
    return next((s for s in discovered() if kind in s.kinds), None)


def visited(kinds: tuple[str, ...] | frozenset[str] | set[str]) -> tuple[str, ...]:
    """Commands of the journey steps these journal kinds mark as visited, in journey order."""
    return tuple(s.command for s in mapped() if s.command and set(s.visited_by) & set(kinds))


def suited(role: Role | None) -> tuple[Step, ...]:
    """The journey steps that suit a role first ("both" when it is not known yet)."""
    wanted: Role = role or "both"
    return tuple(s for s in mapped() if wanted in s.roles)


def topics(role: Role | None) -> tuple[str, ...]:
    """The daily questions' focus for a role: the topics of the steps that suit it."""
    return tuple(s.topic for s in suited(role) if s.topic)


@cache
def topics_for_two() -> frozenset[str]:
    """Daily question topics that belong to exercises for two (not on the individual track)."""
    return frozenset(s.topic for s in discovered() if s.topic and s.about_us)
