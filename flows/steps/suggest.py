"""Suggesting changes to a partner's proposed agreement — sent only after a preview."""

from __future__ import annotations

from flows.core.replying import SHARE, written_reply
from flows.core.step import Step

FLOW = written_reply("suggest", "suggestion", "suggestion")

__all__ = ["FLOW", "SHARE"]

STEP = Step(flow=FLOW, name="suggest")
