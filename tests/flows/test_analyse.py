"""Tests for flows.language.blame: accuracy on the labelled set, key phrases, robustness.

The labelled set is the contract for the reframing step; the thresholds are floors, not
targets, so a regression that costs a few points fails loudly with the offending rows.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flows.language.blame as analyse_module
from flows.language.blame import BLAME_SIGNALS, Analysis, Kind, analyse

DATA = Path(__file__).resolve().parents[1] / "data" / "statements.tsv"
KINDS: tuple[str, ...] = get_args(Kind)
MIN_ROWS = 220
MIN_ACCURACY = 0.90


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    kind: str
    feeling: bool
    text: str


def _load_rows() -> list[Row]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kind\tfeeling\ttext", f"unexpected header {lines[0]!r}"
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        kind, feeling, text = line.split("\t", 2)
        assert kind in KINDS, f"line {number}: bad kind {kind!r}"
        assert feeling in {"true", "false"}, f"line {number}: bad feeling {feeling!r}"
        assert text.strip(), f"line {number}: empty text"
        rows.append(Row(number, kind, feeling == "true", text))
    return rows


ROWS = _load_rows()


def _documented_signals() -> set[str]:
    doc = analyse_module.__doc__ or ""
    section = doc.split("Signals (stable names", 1)[1]
    return set(re.findall(r"^\* ``([a-z_]+)``", section, flags=re.MULTILINE))


# --------------------------------------------------------------------------------------
# The labelled set
# --------------------------------------------------------------------------------------


def test_dataset_is_large_varied_and_unique() -> None:
    kinds = Counter(row.kind for row in ROWS)
    assert len(ROWS) >= MIN_ROWS, f"only {len(ROWS)} rows"
    assert set(kinds) == set(KINDS), kinds
    for kind in KINDS:
        share = kinds[kind] / len(ROWS)
        assert share >= 0.2, f"{kind} is only {share:.0%} of the set"
    duplicates = [t for t, n in Counter(row.text for row in ROWS).items() if n > 1]
    assert not duplicates, duplicates
    assert any(row.feeling for row in ROWS) and not all(row.feeling for row in ROWS)


def _confusion(pairs: list[tuple[str, str]]) -> str:
    counts = Counter(pairs)
    labels = sorted({label for pair in pairs for label in pair})
    header = "want\\got".ljust(13) + "".join(label.rjust(13) for label in labels)
    body = [
        want.ljust(13) + "".join(str(counts[(want, got)]).rjust(13) for got in labels)
        for want in labels
    ]
    return "\n".join([header, *body])


def test_kind_accuracy() -> None:
    results = [(row, analyse(row.text)) for row in ROWS]
    wrong = [(row, got) for row, got in results if got.kind != row.kind]
    accuracy = 1 - len(wrong) / len(ROWS)
    detail = "\n".join(
        f"  line {row.line}: want {row.kind}, got {got.kind} {list(got.signals)}: {row.text!r}"
        for row, got in wrong
    )
    confusion = _confusion([(row.kind, got.kind) for row, got in results])
    assert accuracy >= MIN_ACCURACY, (
        f"kind accuracy {accuracy:.3f} < {MIN_ACCURACY}\n{confusion}\nmisclassified:\n{detail}"
    )


def test_feeling_accuracy() -> None:
    results = [(row, analyse(row.text)) for row in ROWS]
    wrong = [(row, got) for row, got in results if got.feeling != row.feeling]
    accuracy = 1 - len(wrong) / len(ROWS)
    detail = "\n".join(
        f"  line {row.line}: want feeling={row.feeling}, got {got.feeling} "
        f"{list(got.signals)}: {row.text!r}"
        for row, got in wrong
    )
    confusion = _confusion([(str(row.feeling), str(got.feeling)) for row, got in results])
    assert accuracy >= MIN_ACCURACY, (
        f"feeling accuracy {accuracy:.3f} < {MIN_ACCURACY}\n{confusion}\nmisclassified:\n{detail}"
    )


# --------------------------------------------------------------------------------------
# Key phrases (worded differently from the labelled set on purpose)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "feeling", "signal"),
    [
        ("You always forget to call me back.", "blame", False, "you_always"),
        ("You never help me with the shopping.", "blame", False, "you_never"),
        ("You're so inconsiderate.", "blame", False, "you_are_trait"),
        ("It's your fault we missed the train.", "blame", False, "your_fault"),
        ("You make me feel stupid.", "blame", True, "you_make_me"),
        ("Oh great, thanks for being on time for once.", "blame", False, "sarcasm"),
        ("I feel like you don't care about us.", "blame", False, "feel_like_you"),
        ("I feel that you never put me first.", "blame", False, "feel_like_you"),
        ("I feel hurt because you are a liar.", "blame", True, "name_calling"),
        ("Why do you always have to ruin everything?", "blame", False, "accusing_question"),
        ("What's wrong with you?", "blame", False, "contempt"),
        ("u never txt back", "blame", False, "you_never"),
        ("ur always on ur phone", "blame", False, "you_always"),
        ("your so lazy", "blame", False, "you_are_trait"),
        ("You alwys do this.", "blame", False, "you_always"),
        ("Why you never call me?", "blame", False, "you_never"),
        ("I felt anxious when the phone was face down, because I need openness.",
         "i_statement", True, "because_need"),
        ("When you came home late I felt scared.", "i_statement", True, "when_clause"),
        ("It hurt me when the plans changed.", "i_statement", True, "emotion_word"),
        ("I need some space tonight.", "i_statement", False, "i_need"),
        ("You are important to me.", "neutral", False, None),
        ("You always make me laugh.", "neutral", False, None),
        ("You never fail to make me smile.", "neutral", False, None),
        ("It's not your fault.", "neutral", False, None),
        ("I don't blame you.", "neutral", False, None),
        ("Thank you for listening.", "neutral", False, None),
        ("I'm sorry I lied to you.", "neutral", False, "apology"),
        ("Do you want to go for a walk?", "neutral", False, None),
    ],
)  # fmt: skip
def test_key_phrases(text: str, kind: str, feeling: bool, signal: str | None) -> None:
    result = analyse(text)
    assert (result.kind, result.feeling) == (kind, feeling), result
    if signal is not None:
        assert signal in result.signals, result


def test_blame_wins_over_owned_feeling() -> None:
    result = analyse("I'm sad because you're so selfish.")
    assert result.kind == "blame"
    assert result.feeling
    assert "emotion_word" in result.signals and "you_are_trait" in result.signals


def test_negated_feelings() -> None:
    assert not analyse("I'm not angry anymore.").feeling
    assert analyse("I don't feel safe yet.").feeling


def test_as_dict_shape() -> None:
    result = analyse("You never listen.")
    assert result.as_dict("You never listen.") == {
        "text": "You never listen.",
        "kind": "blame",
        "feeling": False,
        "signals": list(result.signals),
    }


# --------------------------------------------------------------------------------------
# Signals are stable and explainable
# --------------------------------------------------------------------------------------


def test_every_emitted_signal_is_documented() -> None:
    documented = _documented_signals()
    assert set(BLAME_SIGNALS) <= documented
    emitted = {signal for row in ROWS for signal in analyse(row.text).signals}
    assert emitted <= documented, emitted - documented


def test_signals_are_consistent_with_kind() -> None:
    blame = set(BLAME_SIGNALS)
    for row in ROWS:
        result = analyse(row.text)
        assert (result.kind == "blame") == bool(blame & set(result.signals)), (row, result)
        assert (result.kind == "i_statement") == ("i_statement" in result.signals), (row, result)
        assert result.feeling == ("emotion_word" in result.signals), (row, result)


# --------------------------------------------------------------------------------------
# Robustness and purity
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\u200b\u200c\u200d\ufeff",
        "I\u200b feel\u200d so\u2060 lonely",
        "😀🙄💔" * 40,
        "אני מרגיש עצוב היום",
        "\u202eyou never listen\u202c",
        "مرحبا، كيف حالك؟",
        "\x00\x01\x1b[31m you always \x7f",
        "\udcff lone surrogate",
        "'''\"\"\"...,,,???!!!",
        "n't 're 's 'll",
        "ｙｏｕ ａｌｗａｙｓ ｌｉｅ",
        "x" * 100_000,
        "you " * 25_000,
        "You " + "really " * 20_000 + "selfish",
    ],
)
def test_any_input_returns_an_analysis(text: str) -> None:
    result = analyse(text)
    assert isinstance(result, Analysis)
    assert result.kind in KINDS


def test_invisible_characters_do_not_hide_blame() -> None:
    assert analyse("you\u200b a\u200dl\u200bways lie").kind == "blame"
    assert analyse("You\u2019re so selfish").kind == "blame"  # curly apostrophe


def test_non_string_input_is_tolerated() -> None:
    assert analyse(None).kind == "neutral"  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = analyse(text)
    assert result.kind in KINDS
    assert set(result.signals) <= _documented_signals()


def test_the_rules_are_standard_library_only() -> None:
    """The explainable layer runs anywhere; only `flows.language.classifier` touches the model."""
    source = Path(analyse_module.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "flows"}, imported
