"""The screen and the blame check as they ship, on the frozen hold-out nobody trained on.

`tests/data/holdout/` was written blind (by people who saw neither the rules nor the model)
and is never trained on, so these are honest figures. The floors sit a little under what was
measured when the model was built: a retrain that loses ground fails here, with the misses.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.train import labelled
from flows.language.blame import analyse
from flows.language.screen import screen

# Measured on the shipped model (see docs/language.md); floors a few points lower.
MIN_RECALL = {"self_harm": 0.85, "abuse": 0.93, "danger_now": 0.92}
MAX_FALSE_ALARMS_ANY = 0.09
MAX_FALSE_ALARMS_FULL = 0.03
MIN_STATEMENT_ACCURACY = 0.95
MIN_BLAME_RECALL = 0.95

pytestmark = pytest.mark.model
CRISIS = labelled.holdout("risk")
STATEMENTS = labelled.holdout("statement")


def test_the_holdout_is_big_enough_to_mean_something() -> None:
    counts = Counter(row.label for row in CRISIS)
    assert min(counts[label] for label in labelled.LABELS["risk"]) >= 40, counts
    assert len(STATEMENTS) >= 200


def test_crisis_recall_either_level() -> None:
    seen: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    missed: list[str] = []
    for row in CRISIS:
        if row.label == "none":
            continue
        seen[row.label] += 1
        if screen(row.text).level != "none":
            caught[row.label] += 1
        else:
            missed.append(f"{row.label}: {row.text}")
    for label, floor in MIN_RECALL.items():
        recall = caught[label] / seen[label]
        assert recall >= floor, f"{label} recall {recall:.3f} < {floor}\n" + "\n".join(missed)


def test_false_alarms_on_harmless_messages() -> None:
    harmless = [row for row in CRISIS if row.label == "none"]
    levels = [(screen(row.text).level, row.text) for row in harmless]
    any_level = [text for level, text in levels if level != "none"]
    full = [text for level, text in levels if level == "clear"]
    assert len(any_level) / len(harmless) <= MAX_FALSE_ALARMS_ANY, "\n".join(any_level)
    assert len(full) / len(harmless) <= MAX_FALSE_ALARMS_FULL, "\n".join(full)


def test_blame_check() -> None:
    right = sum(analyse(row.text).kind == row.label for row in STATEMENTS)
    blame = [row for row in STATEMENTS if row.label == "blame"]
    caught = sum(analyse(row.text).kind == "blame" for row in blame)
    assert right / len(STATEMENTS) >= MIN_STATEMENT_ACCURACY
    assert caught / len(blame) >= MIN_BLAME_RECALL
