"""/hurt: name what happened, how it landed, and what it broke — then keep it or not.

Nothing here asks the person to forgive; the step ends with their words safely kept.
"""

from __future__ import annotations

from flows.core.step import Step
from flows.core.written import written_step

PARTS = ("what", "landed", "broke")

FLOW = written_step("hurt", PARTS, skippable=("landed", "broke"))

STEP = Step(
    flow=FLOW,
    name="hurt",
    command="hurt",
    place=10,
    on_map=True,
    kinds=("hurt",),
    roles=("hurt",),
    topic="hurt",
)
