"""A stand-in for the trained model that hears exactly what a test tells it to.

Coach and screen tests are about behaviour, not about what one trained model happens to
score, so they install this instead (`flows.language.classifier.install`).
"""

from __future__ import annotations

import numpy as np

THRESHOLDS = {"clear": 0.95, "possible": 0.6, "veto": 0.05, "blame": 0.6}


class StandIn:
    def __init__(
        self,
        mass: dict[str, float] | None = None,
        category: str = "self_harm",
        blame: frozenset[str] = frozenset(),
        default: float = 0.0,
    ) -> None:
        self.thresholds = dict(THRESHOLDS)
        self.mass = mass or {}
        self.category = category
        self.blame = blame
        self.default = default

    def crisis(self, text: str) -> tuple[float, str]:
        return self.mass.get(text, self.default), self.category

    def statement_kind(self, text: str) -> tuple[str, float]:
        return ("blame", 0.9) if text in self.blame else ("neutral", 0.9)

    def probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(4), np.zeros(3)
