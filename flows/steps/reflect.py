"""Answering a partner's statement with "What I heard is…" — sent only after a preview."""

from __future__ import annotations

from flows.core.replying import SHARE, written_reply

FLOW = written_reply("reflect", "reflection", "reflection")

__all__ = ["FLOW", "SHARE"]
