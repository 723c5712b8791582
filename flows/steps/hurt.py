"""/hurt: name what happened, how it landed, and what it broke — then keep it or not.

Nothing here asks the person to forgive; the step ends with their words safely kept. What
happened and how it landed are each met with a few words said back (how long it went on,
the kind of hurt, their own feeling words) before the next question, so it reads as being
heard, not as filling in a form.
"""

from __future__ import annotations

from flows.core.heard import Listen
from flows.core.step import Step
from flows.core.written import written_step

PARTS = ("what", "landed", "broke")

FLOW = written_step(
    "hurt",
    PARTS,
    skippable=("landed", "broke"),
    listen={
        "what": Listen(("duration", "kind")),
        "landed": Listen(("feelings", "hard"), fallback="landed"),
    },
)

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
