"""Drawing the /progress picture: check-in scores over time, wins and kept rituals marked.

matplotlib with the Agg backend (no display). The figure is small and plain; a year of
daily points draws well under the 300 ms budget (bench/chart.py measures it).
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
from matplotlib.figure import Figure

SCORE_COLOUR = "#5b7db1"
WIN_COLOUR = "#e0a526"
RITUAL_COLOUR = "#6aa879"


def render(spec_json: bytes) -> bytes:
    """PNG bytes for a chart description made by flows.progress."""
    spec: dict[str, Any] = json.loads(spec_json)
    # matplotlib's stubs want numbers; it plots dates natively through its date converter.
    days: Any = [date.fromisoformat(d) for d, _ in spec["checkins"]]
    scores = [int(s) for _, s in spec["checkins"]]
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.add_subplot()
    axes.plot(
        days,
        scores,
        color=SCORE_COLOUR,
        linewidth=1.6,
        marker="o",
        markersize=2.5,
        label=spec["legend"]["score"],
    )
    wins: Any = [date.fromisoformat(d) for d in spec.get("wins", [])]
    if wins:
        axes.scatter(
            wins,
            [5.35] * len(wins),
            marker="*",
            s=40,
            color=WIN_COLOUR,
            label=spec["legend"]["win"],
            zorder=3,
        )
    rituals: Any = [date.fromisoformat(d) for d in spec.get("rituals", [])]
    if rituals:
        axes.scatter(
            rituals,
            [0.65] * len(rituals),
            marker="|",
            s=60,
            color=RITUAL_COLOUR,
            label=spec["legend"]["ritual"],
            zorder=3,
        )
    axes.set_ylim(0.4, 5.6)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_title(spec["title"], fontsize=11)
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(axes.xaxis.get_major_locator()))
    axes.grid(axis="y", alpha=0.25)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncol=3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
