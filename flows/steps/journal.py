"""/journal: what the person has saved, newest first, only ever shown to them."""

from __future__ import annotations

from collections.abc import Sequence

from flows.core.contract import Memory, Reply
from flows.core.step import Step
from flows.views import journal


def _show(memory: Memory) -> Sequence[Reply]:
    return journal.render(memory.journal(journal.SHOWN + 1))


STEP = Step(name="journal", command="journal", place=140, show=_show)
