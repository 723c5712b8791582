"""/grow: not back to how things were, but forward to something built on what you learned.

Trying to return to "normal" tends to bring back what broke; growth gives the pain some
meaning. So the step asks what was learned, what the next chapter could look like, and one
small step toward it — small enough to take this week.
"""

from __future__ import annotations

from flows.core.step import Step
from flows.core.written import written_step

PARTS = ("learned", "next_chapter", "next_step")

FLOW = written_step("grow", PARTS, skippable=("next_chapter",), reconciling=True)

STEP = Step(
    flow=FLOW,
    name="grow",
    command="grow",
    place=90,
    on_map=True,
    kinds=("grow",),
    roles=("both",),
    topic="grow",
)
