"""One rule for "one thing I will do", used by /selftrust and /own: concrete, vague or a
sweeping promise — as people type on phones. The blind batch (written by someone who had not
seen the rules) is scored against an honest floor at the end."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from flows.language.commitment import LABELS, Label, classify

DATA = Path(__file__).resolve().parents[1] / "data" / "commitment"

CASES: list[tuple[str, Label]] = [
    # vague: not knowing yet, or improving in general
    ("idk", "vague"),
    ("i dont know", "vague"),
    ("not sure yet tbh", "vague"),
    ("nothing really", "vague"),
    ("be better", "vague"),
    ("try harder", "vague"),
    ("trust myself more", "vague"),
    ("listen to my gut", "vague"),
    ("be more honest", "vague"),
    ("work on myself", "vague"),
    ("stop lying", "vague"),
    ("be more present with the kids", "vague"),
    # sweeping: without edges, or changing who one is
    ("I promise I will be perfect from now on", "sweeping"),
    ("never again", "sweeping"),
    ("I'll never lie to you again", "sweeping"),
    ("I will do whatever it takes", "sweeping"),
    ("change everything", "sweeping"),
    ("i wont ever doubt myself again, 100%", "sweeping"),
    # concrete: an act tied to a when or a what
    ("I will always text you when I'm running late", "concrete"),
    ("Call my sister on Sunday and tell her what happened", "concrete"),
    ("Say no to the Friday drinks", "concrete"),
    ("speak up once when something feels off", "concrete"),
    ("show you my phone whenever you ask", "concrete"),
    ("I will tell you if she contacts me", "concrete"),
    ("write down what my instincts say each evening", "concrete"),
    ("go for a walk alone on saturday", "concrete"),
    ("delete her number tonight", "concrete"),
    ("I'll answer your questions about it, even the hard ones", "concrete"),
    ("I'll go to therapy", "concrete"),
    # written after the blind batch, in other words, for the gaps it showed
    ("delete tiktok this weekend", "concrete"),
    ("spend more time with the kids on sundays", "concrete"),
    ("idk bro", "vague"),
    ("do whatever he wants", "vague"),
    ("get my act together", "vague"),
    ("go to the gym more often", "vague"),
    ("show her im committed", "vague"),
    ("i will never go through her phone ever again", "sweeping"),
    ("be the wife he deserves for the rest of my life", "sweeping"),
]


@pytest.mark.parametrize(("text", "label"), CASES)
def test_one_rule_for_what_i_will_do(text: str, label: Label) -> None:
    assert classify(text) == label


def test_nothing_written_is_vague() -> None:
    assert classify("") == "vague"
    assert classify(" ?? ") == "vague"


# --- the blind batch ----------------------------------------------------------------------------
# tests/data/commitment/blind-1.tsv (`label<TAB>step<TAB>text`, 30 of each label, half from
# /selftrust and half from /own) was written by someone who had not seen these rules. Scored
# once before any change: concrete 29/30, vague 21/30, sweeping 28/30 (0.867 in all). The
# gaps it showed were fixed as general rules (an act and an anchor must be different words;
# "never … ever again" is sweeping even with a when; more or less of something with no when
# is vague; "idk man" is still "idk"). These floors keep that without asking for perfection on
# what is now a seen set.


def test_the_blind_batch_holds_its_floors() -> None:
    rows: list[list[str]] = []
    for path in sorted(DATA.glob("blind-*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
    assert len(rows) >= 90
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for label, step, text in rows:
        assert label in LABELS and step in {"selftrust", "own"}
        asked[label] += 1
        right[label] += classify(text) == label
    for label in LABELS:
        assert right[label] / asked[label] >= 0.9, (label, right[label], asked[label])
