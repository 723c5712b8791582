"""/progress: how things have been moving, as a summary and a picture (a view, not a talk)."""

from __future__ import annotations

from collections.abc import Sequence

from flows.core.contract import Memory, Reply
from flows.core.step import Step
from flows.views import progress


def _show(memory: Memory) -> Sequence[Reply]:
    return progress.render(memory.progress())


STEP = Step(name="progress", command="progress", place=120, on_map=True, show=_show)
