"""Score a fresh batch of labelled messages *before* it joins the training data.

Those before-scores are the honest figures: the batch was written by someone who never saw
the rules or the model, and nothing was fitted to it yet. Usage:

    python -m bot.train.score crisis FILE...       # the screen as it ships now
    python -m bot.train.score statement FILE...    # the blame check as it ships now
    add --misses to list what was missed (for the person fixing, never in a log).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.train.labelled import LABELS, Row, Task, _read


def score_crisis(rows: Sequence[Row]) -> dict[str, Any]:
    """Recall counts either level (any crisis help offered); false alarms per level."""
    from flows.language.screen import screen

    seen: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    false_clear = false_any = 0
    misses: list[tuple[str, str, str]] = []
    for row in rows:
        verdict = screen(row.text)
        for key in (row.label, f"{row.label}/{row.style}"):
            seen[key] += 1
        if row.label == "none":
            false_any += verdict.level != "none"
            false_clear += verdict.level == "clear"
            if verdict.level != "none":
                misses.append((row.label, verdict.level + ":" + verdict.risk, row.text))
            continue
        if verdict.level != "none":
            for key in (row.label, f"{row.label}/{row.style}"):
                caught[key] += 1
            exact[row.label] += verdict.risk == row.label
        else:
            misses.append((row.label, "none", row.text))
    nones = max(seen["none"], 1)
    return {
        "rows": sum(seen[label] for label in LABELS["risk"]),
        "recall": {
            key: f"{caught[key]}/{seen[key]} = {caught[key] / seen[key]:.3f}"
            for key in sorted(seen)
            if not key.startswith("none")
        },
        "exact_category": {
            label: f"{exact[label]}/{seen[label]}" for label in LABELS["risk"][1:] if seen[label]
        },
        "false_alarms_any_level": f"{false_any}/{seen['none']} = {false_any / nones:.3f}",
        "false_alarms_full_response": f"{false_clear}/{seen['none']} = {false_clear / nones:.3f}",
        "misses": misses,
    }


def score_statements(rows: Sequence[Row]) -> dict[str, Any]:
    from flows.language.blame import analyse

    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[tuple[str, str, str]] = []
    for row in rows:
        kind = analyse(row.text).kind
        for key in (row.label, f"{row.label}/{row.style}", "all"):
            seen[key] += 1
            right[key] += kind == row.label
        if kind != row.label:
            misses.append((row.label, kind, row.text))
    blame_caught = right["blame"]
    return {
        "rows": seen["all"],
        "accuracy": f"{right['all']}/{seen['all']} = {right['all'] / max(seen['all'], 1):.3f}",
        "per_label": {
            key: f"{right[key]}/{seen[key]} = {right[key] / seen[key]:.3f}"
            for key in sorted(seen)
            if key != "all"
        },
        "blame_recall": f"{blame_caught}/{seen['blame']}",
        "misses": misses,
    }


def main(argv: Sequence[str] | None = None) -> int:
    top = argparse.ArgumentParser(prog="python -m bot.train.score", description=__doc__)
    top.add_argument("task", choices=("crisis", "statement"))
    top.add_argument("files", nargs="+", type=Path)
    top.add_argument("--misses", action="store_true")
    args = top.parse_args(argv)
    task: Task = "risk" if args.task == "crisis" else "statement"
    rows = [row for path in args.files for row in _read(path, task)]
    result = score_crisis(rows) if task == "risk" else score_statements(rows)
    misses = result.pop("misses")
    print(json.dumps(result, indent=2))
    if args.misses:
        for label, got, text in misses:
            print(f"{label}\t{got}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
