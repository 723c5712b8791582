"""Mermaid diagrams of every flow, drawn from the state machines themselves.

A hand-drawn diagram drifts from the code the first time someone adds a transition; one
generated from `flow.machine` cannot. `python -m flows.diagrams > docs/flows.md` rewrites
the page, and a test fails while the page is out of date.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any

from flows.core.machine import END, Flow

HEADER = """# Flows

Generated from the state machines by `python -m flows.diagrams > docs/flows.md`
(`make docs`); do not edit by hand. Edges read `trigger values [checks]`: `pick` is a
button (or its number typed), `text` is free text. A check that fails keeps the person
where they are, with a hint.
"""

_RESERVED = frozenset({"end", "state", "note", "direction", "class", "classDef", "style"})
"""Words Mermaid reads as syntax; such a state gets an alias."""


def _id(state: str) -> str:
    return f"{state}_" if state in _RESERVED else state


def _describe(func: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    """The option values a condition accepts, or a short name for any other check.

    Conditions built by `value_is` / `slot_set` keep their arguments in the closure, which
    is cheap to read and says more than the factory's name.
    """
    name = getattr(func, "__qualname__", repr(func))
    outer = name.split(".<locals>.")[0].lstrip("_")
    if name.endswith("<lambda>") or not outer.isidentifier():
        outer = "check"  # a lambda has no name worth showing, and "<…>" reads as markup
    try:
        captured = inspect.getclosurevars(func).nonlocals
    except TypeError:
        captured = {}
    if outer == "value_is" and isinstance(captured.get("values"), tuple):
        return tuple(str(v) for v in captured["values"]), None
    if outer == "slot_set" and "name" in captured:
        return (), f"{str(captured['name']).lstrip('_')}"
    return (), outer


def _label(trigger: str, conditions: Iterable[Any]) -> str:
    values: list[str] = []
    checks: list[str] = []
    for condition in conditions:
        func = condition.func
        if not callable(func):
            checks.append(str(func))
            continue
        found, check = _describe(func)
        values.extend(found)
        if check:
            checks.append(check if condition.target else f"not {check}")
    label = trigger
    if values:
        label += " " + ", ".join(values)  # a second colon could confuse Mermaid
    if checks:
        label += " [" + ", ".join(checks) + "]"
    return label


def mermaid(flow: Flow) -> str:
    """A `stateDiagram-v2` of the flow; the shared terminal state `end` is drawn as [*]."""
    lines = ["stateDiagram-v2"]
    for state in flow.machine.states:
        if state != END and _id(state) != state:
            lines.append(f'    state "{state}" as {_id(state)}')
    lines.append(f"    [*] --> {_id(flow.first)}")
    seen: set[str] = set()
    for trigger, event in flow.machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                dest = transition.dest if transition.dest is not None else source
                target = "[*]" if dest == END else _id(dest)
                edge = f"    {_id(source)} --> {target}: {_label(trigger, transition.conditions)}"
                if edge not in seen:
                    seen.add(edge)
                    lines.append(edge)
    return "\n".join(lines)


def document(flows: Iterable[Flow]) -> str:
    """Markdown with one section per flow, in the order given."""
    parts = [HEADER]
    for flow in flows:
        traits = [f"version {flow.version}"]
        if flow.couples:
            traits.append("for two (paused after a crisis, not on the individual track)")
        if not flow.needs_consent:
            traits.append("open before consent")
        states = ", ".join(f"`{s.name}`" for s in flow.states)
        parts.append(
            f"## {flow.name}\n\n{'; '.join(traits)}.\n\nStates: {states}.\n\n"
            f"```mermaid\n{mermaid(flow)}\n```\n"
        )
    return "\n".join(parts)


def main() -> None:
    from flows.coach import FLOWS  # the coach knows every flow, plug-in steps included

    sys.stdout.write(document(FLOWS[name] for name in sorted(FLOWS)))


if __name__ == "__main__":
    main()
