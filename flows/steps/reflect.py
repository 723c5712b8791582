"""Answering a partner's statement with "What I heard is…" — sent only after a preview."""

from __future__ import annotations

from flows.core.replying import SHARE, written_reply
from flows.core.step import Step

FLOW = written_reply("reflect", "reflection", "reflection")

__all__ = ["FLOW", "SHARE"]

STEP = Step(flow=FLOW, name="reflect")
