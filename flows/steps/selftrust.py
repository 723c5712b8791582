"""/selftrust: listen to your own judgement again, after trusting someone led to hurt.

Being let down by someone you trusted often leaves you doubting your own read of things, and
that doubt makes everything feel less steady. Small, concrete reflections — what your
instincts said, where you held a line, one small act of trusting yourself — rebuild it
better than reassurance, so the step asks for those and keeps them. A small act that is
vague ("idk", "trust myself more") or sweeping ("never doubt myself again") is asked about
once more, with an example of something small; the second answer is kept as it is.
"""

from __future__ import annotations

from flows.core.step import Step
from flows.core.written import written_step

PARTS = ("instinct", "held_line", "small_act")

FLOW = written_step("selftrust", PARTS, skippable=("held_line",), follow_up=("small_act",))

STEP = Step(
    flow=FLOW,
    name="selftrust",
    command="selftrust",
    place=80,
    on_map=True,
    kinds=("selftrust",),
    roles=("hurt",),
    topic="selftrust",
)
