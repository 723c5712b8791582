"""/progress: a short summary, and a picture of check-ins with wins and kept rituals.

The coach only describes the chart (as JSON on a "chart" attachment); the adapter draws it,
so flows stay free of plotting libraries and I/O.
"""

from __future__ import annotations

import json

from flows import steps
from flows.core import content
from flows.core.contract import Attachment, Progress, Reply

MIN_POINTS = 3
RECENT = 7


def render(data: Progress) -> tuple[Reply, ...]:
    scores = [score for _, score in data.checkins]
    none = content.text("progress", "none")
    average = ""
    if scores:
        recent = scores[-RECENT:]
        average = content.text("progress", "average", value=f"{sum(recent) / len(recent):.1f}")
    summary = content.text(
        "progress",
        checkins=str(len(scores)) if scores else none,
        average=average,
        wins=str(len(data.wins)) if data.wins else none,
        kept=str(len(data.rituals_kept)) if data.rituals_kept else none,
        steps=", ".join(f"/{s}" for s in steps.visited(data.kinds)) or none,
    )
    if len(scores) < MIN_POINTS:
        return (Reply(summary), Reply(content.text("progress", "too_little")))
    spec = {
        "title": content.text("progress", "chart_title"),
        "legend": {
            "score": content.text("progress", "legend_score"),
            "win": content.text("progress", "legend_win"),
            "ritual": content.text("progress", "legend_ritual"),
        },
        "checkins": [[day, score] for day, score in data.checkins],
        "wins": list(data.wins),
        "rituals": list(data.rituals_kept),
    }
    chart = Attachment("progress.png", json.dumps(spec).encode("utf-8"), "chart")
    return (Reply(summary, attachments=(chart,)),)
