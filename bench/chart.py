"""The /progress chart for a year of daily data must draw in under 300 ms.

Baseline in the same run: the same figure with a single point, so the ratio shows what a
year of data adds over matplotlib's fixed cost.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date, timedelta

from bot import charts

RUNS = 15
BUDGET_MS = 300.0


def spec(days: int) -> bytes:
    start = date(2025, 3, 1)
    checkins = [[(start + timedelta(d)).isoformat(), 1 + (d * 7 % 5)] for d in range(days)]
    wins = [(start + timedelta(d)).isoformat() for d in range(0, days, 3)]
    rituals = [(start + timedelta(d)).isoformat() for d in range(days) if d % 5]
    legend = {"score": "Check-in (1–5)", "win": "Small win", "ritual": "Ritual kept"}
    return json.dumps(
        {
            "title": "How safe and close",
            "legend": legend,
            "checkins": checkins,
            "wins": wins,
            "rituals": rituals,
        }
    ).encode()


def timed(data: bytes) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        charts.render(data)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> dict[str, float]:
    year, one = spec(365), spec(1)
    charts.render(one)  # warm-up: fonts and caches, as after the first /progress
    baseline = timed(one)
    full = timed(year)
    print(f"one point : {baseline:6.1f} ms (baseline)")
    print(f"a year    : {full:6.1f} ms  ratio {full / baseline:.2f}  (budget {BUDGET_MS:.0f} ms)")
    result = {
        "chart_year_ms": round(full, 1),
        "chart_baseline_ms": round(baseline, 1),
        "ratio": round(full / baseline, 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
