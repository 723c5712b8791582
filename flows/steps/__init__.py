"""Healing steps that plug in by themselves: one module here, one content file, one test.

Each module defines `FLOW` (a `flows.flow.Flow`) and may define `COMMAND` (the slash command
that opens it; its menu text is `[<flow>.command] text` in its content file). The coach finds
them all at import, so adding a step touches no shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

from flows.core.machine import Flow


@dataclass(frozen=True, slots=True)
class Step:
    flow: Flow
    command: str | None
    order: int


@cache
def discovered() -> tuple[Step, ...]:
    found: list[Step] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        flow = getattr(module, "FLOW", None)
        if isinstance(flow, Flow):
            found.append(
                Step(flow, getattr(module, "COMMAND", None), int(getattr(module, "ORDER", 100)))
            )
    return tuple(sorted(found, key=lambda s: (s.order, s.flow.name)))
