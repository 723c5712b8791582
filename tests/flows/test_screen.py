"""Tests for the rules layer of flows.language.screen: recall and false alarms on the labelled set,
traps, robustness. (The trained layer: test_classifier.py and test_holdout.py.)

The labelled set (tests/data/crisis.tsv) is the contract for crisis screening. The floors
below are floors, not targets: a change that costs a few rows fails loudly and lists them.
Recall is measured on the exact category; separately, every crisis row must be flagged as
*some* crisis, because a danger_now message answered with self-harm resources is still
answered with help, while one answered with coaching is not.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flows.language.screen as screen_module
from flows.language.screen import SIGNALS, Risk, Screening, rules

DATA = Path(__file__).resolve().parents[1] / "data" / "crisis.tsv"
RISKS: tuple[str, ...] = get_args(Risk)
CRISES = ("danger_now", "self_harm", "abuse")
MIN_ROWS = {"self_harm": 80, "abuse": 90, "danger_now": 60, "none": 170}
MIN_RECALL = {"danger_now": 0.97, "self_harm": 0.97, "abuse": 0.93}
MAX_FALSE_ALARMS = 0.05
MIN_FLAGGED = 0.99


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    risk: str
    text: str


def _load_rows() -> list[Row]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "risk\ttext", f"unexpected header {lines[0]!r}"
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        risk, text = line.split("\t", 1)
        assert risk in RISKS, f"line {number}: bad risk {risk!r}"
        assert text.strip(), f"line {number}: empty text"
        rows.append(Row(number, risk, text))
    return rows


ROWS = _load_rows()
VERDICTS = {row.line: rules(row.text) for row in ROWS}


def _describe(rows: list[Row]) -> str:
    return "\n".join(
        f"  line {r.line}: want {r.risk}, got {VERDICTS[r.line].risk} "
        f"{list(VERDICTS[r.line].signals)} | {r.text}"
        for r in rows
    )


# --------------------------------------------------------------------------------------
# The labelled set
# --------------------------------------------------------------------------------------


def test_set_size_and_mix() -> None:
    counts = Counter(row.risk for row in ROWS)
    assert len(ROWS) >= 400, f"only {len(ROWS)} rows"
    for risk, minimum in MIN_ROWS.items():
        assert counts[risk] >= minimum, f"{risk}: {counts[risk]} rows, want >= {minimum}"
    texts = Counter(row.text.casefold() for row in ROWS)
    dupes = [t for t, n in texts.items() if n > 1]
    assert not dupes, f"duplicate rows: {dupes}"


@pytest.mark.parametrize("risk", sorted(MIN_RECALL))
def test_recall(risk: str) -> None:
    rows = [r for r in ROWS if r.risk == risk]
    missed = [r for r in rows if VERDICTS[r.line].risk != risk]
    recall = 1 - len(missed) / len(rows)
    assert recall >= MIN_RECALL[risk], (
        f"{risk} recall {recall:.3f} < {MIN_RECALL[risk]}; misclassified:\n{_describe(missed)}"
    )


def test_false_alarms() -> None:
    rows = [r for r in ROWS if r.risk == "none"]
    flagged = [r for r in rows if VERDICTS[r.line].risk != "none"]
    rate = len(flagged) / len(rows)
    assert rate <= MAX_FALSE_ALARMS, (
        f"false alarms {rate:.3f} > {MAX_FALSE_ALARMS}; flagged:\n{_describe(flagged)}"
    )


def test_every_crisis_is_flagged() -> None:
    rows = [r for r in ROWS if r.risk in CRISES]
    unflagged = [r for r in rows if VERDICTS[r.line].risk == "none"]
    rate = 1 - len(unflagged) / len(rows)
    assert rate >= MIN_FLAGGED, (
        f"only {rate:.3f} of crisis rows flagged; missed:\n{_describe(unflagged)}"
    )


def test_every_signal_is_exercised_by_the_set() -> None:
    seen = {s for verdict in VERDICTS.values() for s in verdict.signals}
    assert seen == set(SIGNALS), f"never fired on the set: {sorted(set(SIGNALS) - seen)}"


def test_trigger_words_never_hide_a_match() -> None:
    """A rule is skipped when none of its `needs` words occur; that must never drop a match."""
    cfg = screen_module._config()
    hidden: list[str] = []
    for row in ROWS:
        norm = screen_module.normalise(row.text)
        tokens = frozenset(norm.split())
        for rule in cfg.rules:
            if not rule.needs or not tokens.isdisjoint(rule.needs):
                continue
            for regex in (rule.regex, rule.fixed):
                if regex is not None and regex.search(norm):
                    hidden.append(f"{rule.signal}: line {row.line} | {norm}")
    assert not hidden, "add a trigger word to `needs`:\n" + "\n".join(hidden)


# --------------------------------------------------------------------------------------
# Explicit cases
# --------------------------------------------------------------------------------------

TRAPS = [
    "this fight is killing me",
    "he hit the gym",
    "I could kill for a coffee",
    "he beat me at chess",
    "I'm dying to see her",
    "my boss is going to murder me",
    "I nearly died laughing",
    "that joke killed",
    "she hit me with the news",
    "he blew up my phone with texts",
    "I'm so done with this week",
    "I want to disappear under a blanket for a day",
    "she cheated and it destroyed me",
    "I feel like I'm dying inside since I found out",
    "I'm so jealous of her ex",
    "I'm furious with him",
    "we both share locations, it was my idea",
    "he checks in on me every night to see how I'm doing",
    "I cut myself a slice of cake",
    "the guy on the show overdosed and it was hard to watch",
    "he shot me a look",
    "I'm dead tired",
    "my wife is going to kill me when she sees the bill",
    "I would never hurt myself",
    "I'm not suicidal, just exhausted",
    "we did suicide sprints at practice",
    "he used to hit me but that was my ex and he is out of my life",
    "I'd rather die than go to that party",
    "I don't want to live with him anymore",
    "I can't do this anymore, we need therapy",
    "walking on eggshells since I confessed",
]


@pytest.mark.parametrize("text", TRAPS)
def test_trap_is_not_a_crisis(text: str) -> None:
    result = rules(text)
    assert result.risk == "none", f"{text!r} flagged {result}"


POSITIVES: list[tuple[str, str]] = [
    ("I don't want to live anymore", "self_harm"),
    ("everyone would be better off without me", "self_harm"),
    ("I've been cutting again", "self_harm"),
    ("kms", "self_harm"),
    ("want to sewerslide", "self_harm"),
    ("i want to unalive myself", "self_harm"),
    ("I'm done with life", "self_harm"),
    ("I wish I could go to sleep and not wake up", "self_harm"),
    ("I gave away all my things, I won't need them", "self_harm"),
    ("he slapped me", "abuse"),
    ("he shoved me into the wall", "abuse"),
    ("he didn't hit me this time but he threw a plate at the wall", "abuse"),
    ("she says she'll kill herself if I leave", "abuse"),
    ("he threatened to hurt the dog", "abuse"),
    ("he made me do it when I said no", "abuse"),
    ("he tracks my location and shows up at my work", "abuse"),
    ("he takes my salary and gives me an allowance", "abuse"),
    ("he won't let me see my family", "abuse"),
    ("he checks my phone every night", "abuse"),
    ("he took my passport", "abuse"),
    ("I'm scared of what he'll do", "abuse"),
    ("walking on eggshells because he explodes", "abuse"),
    ("I took the whole bottle", "danger_now"),
    ("I'm standing on the bridge and I'm going to jump", "danger_now"),
    ("I have the pills in front of me", "danger_now"),
    ("he's at the door with a knife", "danger_now"),
    ("he's breaking down the door", "danger_now"),
    ("he locked me in the bathroom", "danger_now"),
    ("I just cut deep and it won't stop bleeding", "danger_now"),
    ("he is choking me right now", "danger_now"),
]


@pytest.mark.parametrize(("text", "risk"), POSITIVES)
def test_key_positive(text: str, risk: str) -> None:
    result = rules(text)
    assert result.risk == risk, f"{text!r}: want {risk}, got {result}"
    assert result.signals, "a crisis verdict must name what it noticed"


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("I don't think I would ever hurt myself", "none"),
        ("I'm not going to kill myself", "none"),
        ("I can't promise I won't hurt myself", "self_harm"),
        ("I'm not sure I want to live anymore", "self_harm"),
        ("I don't want to die", "none"),
        ("he has never hit me", "none"),
        ("if he ever hit me I would leave", "none"),
        ("if he hits me again I'm leaving", "abuse"),
        ("my brother says he wants to die", "none"),
        ("he told me to kill myself", "abuse"),
        ("I used to self harm but I've been clean for years", "none"),
        ("I tried to kill myself last year", "self_harm"),
    ],
)
def test_negation_person_and_time(text: str, risk: str) -> None:
    assert rules(text).risk == risk, f"{text!r}: {rules(text)}"


@pytest.mark.parametrize(
    "text",
    [
        "k1ll mys3lf",
        "I want to commit su1cide",
        "i am suicidle",
        "thinking about sucide",
        "i want to kil myself",
        "k\u200bill my\u200bself",
        "I WANT TO DIEEEEE",
        "I don\u2019t want to live anymore",
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",
        "i wanna kms \U0001f62d",
        "\u202ei want to die\u202c",
    ],
)
def test_obfuscation_is_normalised(text: str) -> None:
    assert rules(text).risk == "self_harm", f"{text!r}: {rules(text)}"


def test_precedence() -> None:
    both = rules("he hits me and I want to die")
    assert both.risk == "self_harm"
    assert {"physical_violence", "wish_to_die"} <= set(both.signals)
    now = rules("he hits me every day and right now he is choking me")
    assert now.risk == "danger_now"


def test_as_dict() -> None:
    result = rules("he slapped me")
    assert result.as_dict("he slapped me") == {
        "text": "he slapped me",
        "risk": "abuse",
        "level": "clear",
        "signals": ["physical_violence"],
    }


# --------------------------------------------------------------------------------------
# Robustness and cost
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\t",
        "\x00\x01\x1b[31m",
        "\u200b\u200d\ufeff",
        "\U0001f600\U0001f48a\U0001f52a",
        "\u05d0\u05e0\u05d9 \u05e8\u05d5\u05e6\u05d4 \u05dc\u05de\u05d5\u05ea",
        "\u0623\u0631\u064a\u062f \u0623\u0646 \u0623\u0645\u0648\u062a",
        "\ud800 lone surrogate",
        "'''\"\"\"",
        "k" * 100_000,
        ("he hit " * 20_000),
        "1 2 3 . , ? ! ; : " * 5_000,
    ],
)
def test_any_text_returns_a_screening(text: str) -> None:
    result = rules(text)
    assert isinstance(result, Screening)
    assert result.risk in RISKS


def test_internal_failure_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> Screening:
        raise RuntimeError("bug in a rule")

    monkeypatch.setattr(screen_module, "_screen", broken)
    assert rules("anything") == Screening("none", ())


def test_units_are_not_leetspeak() -> None:
    assert rules("I took 2 tablets at 3pm, 30mg each, as prescribed").risk == "none"
    assert rules("i want to d1e").risk == "self_harm"


def test_long_text_keeps_early_signals() -> None:
    filler = "we talked about dinner plans and the weekend. " * 2_200
    text = "he choked me last night. " + filler
    result = rules(text)
    assert len(text) > 100_000
    assert result.risk == "abuse", result


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_property_any_text(text: str) -> None:
    result = rules(text)
    assert isinstance(result, Screening)
    assert result.risk in RISKS
    assert set(result.signals) <= set(SIGNALS)
    assert (result.risk == "none") == (not result.signals)


# Words that trip rules, mixed with negators and obfuscation, in any order.
# fmt: off
SALAD = [
    "he", "hit", "me", "kill", "myself", "not", "never", "i", "want", "to", "die", "pills",
    "took", "the", "whole", "bottle", ",", ".", "if", "ever", "my", "ex", "\u200b",
    "\U0001f52a", "k1ll", "tonight", "knife", "door", "without", "anymore", "live",
]
# fmt: on


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SALAD), max_size=40))
def test_property_word_salad(words: list[str]) -> None:
    result = rules(" ".join(words))
    assert result.risk in RISKS
    ranks = {"none": 0, "abuse": 1, "self_harm": 2, "danger_now": 3}
    if result.signals:
        assert ranks[result.risk] == max(ranks[SIGNALS[s]] for s in result.signals)


# --------------------------------------------------------------------------------------
# Contract of the module
# --------------------------------------------------------------------------------------


def test_signals_are_documented_one_line_each() -> None:
    doc = screen_module.__doc__ or ""
    section = doc.split("Signals (stable names", 1)[1]
    documented = [line.split("``")[1] for line in section.splitlines() if line.startswith("* ``")]
    assert documented == list(SIGNALS)


def test_precedence_is_documented() -> None:
    assert "danger_now > self_harm > abuse > none" in (screen_module.__doc__ or "")


def test_module_is_stdlib_only() -> None:
    tree = ast.parse(Path(screen_module.__file__ or "").read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    # The screen may use its own wider net (flows/language/screen_net.py), which is stdlib-only too.
    assert roots <= set(sys.stdlib_module_names) | {"__future__", "flows"}, roots


def test_every_rule_names_a_documented_signal() -> None:
    cfg = screen_module._config()
    wider_net = {"danger_plain", "self_harm_plain", "control_plain"}
    assert {rule.signal for rule in cfg.rules} | wider_net == set(SIGNALS)
    for rule in cfg.rules:
        assert rule.risk == SIGNALS[rule.signal]


def test_the_wider_net_prefilter_never_hides_a_match() -> None:
    """Each net pattern that matches a labelled row must also pass the quick word check."""
    from flows.language import screen_net

    for row in ROWS:
        norm = screen_module.normalise(row.text)
        patterns = screen_net.SELF_HARM + screen_net.DANGER_NOW + screen_net.ABUSE
        if any(p.search(norm) for p in patterns):
            assert screen_net._ANY.search(norm), row.text
