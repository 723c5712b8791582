"""The shipped language model: it matches its data, loads offline, reads long messages whole,
and steps aside cleanly when it is missing or switched off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.train import labelled
from bot.train.fit import VETO_CAP, augment, choose_thresholds, sha256_of
from flows.language import classifier
from flows.language.blame import analyse
from flows.language.classifier import FOLDER, STRIDE, WINDOW, Classifier
from flows.language.screen import _SAFE as SAFE
from flows.language.screen import MODEL_SIGNAL, Screening, decide, screen
from tests.flows.stand_in import StandIn

pytestmark = pytest.mark.model
MANIFEST = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    classifier.configure(True)


def test_the_committed_model_was_built_from_the_committed_data() -> None:
    assert MANIFEST["data_sha256"] == labelled.data_hash(), (
        "the labelled data changed since the model was built: run `make model` and commit "
        "flows/model/"
    )


def test_the_committed_model_file_is_the_one_the_manifest_describes() -> None:
    assert sha256_of(FOLDER / "model.onnx") == MANIFEST["onnx_sha256"]


def test_the_model_ships_with_its_licence_and_notice() -> None:
    assert "Apache License" in (FOLDER / "LICENSE").read_text(encoding="utf-8")
    assert "all-MiniLM-L6-v2" in (FOLDER / "NOTICE").read_text(encoding="utf-8")


def test_no_validation_row_was_trained_on_and_the_holdout_is_never_trained_on() -> None:
    for task in labelled.LABELS:
        frozen = {row.text.casefold() for row in labelled.holdout(task)}
        trained = {row.text.casefold() for row in labelled.training(task)}
        assert not frozen & trained
    assert MANIFEST["rows"]["risk"]["validation"] > 0


def test_both_heads_give_probabilities() -> None:
    model = classifier.active()
    assert isinstance(model, Classifier)
    risk = model.risk("we had a quiet dinner and talked about the kids")
    statement = model.statement("can you pick up the kids at five")
    assert list(risk) == MANIFEST["labels"]["risk"]
    assert sum(risk.values()) == pytest.approx(1.0, abs=1e-3)
    assert sum(statement.values()) == pytest.approx(1.0, abs=1e-3)


def test_long_messages_are_read_in_overlapping_windows_that_cover_every_token() -> None:
    model = classifier.active()
    assert isinstance(model, Classifier)
    text = " ".join(f"word{i}" for i in range(900))
    windows = model._windows(text)
    assert len(windows) > 2
    assert all(len(w) <= WINDOW for w in windows)
    body = model._tokenizer.encode(text, add_special_tokens=False).ids
    covered = [token for w in windows for token in w[1:-1]]
    assert set(covered) == set(body)
    assert windows[1][1 : 1 + (WINDOW - 2 - STRIDE)] == windows[0][1 + STRIDE : WINDOW - 1]


def test_a_short_message_is_one_window() -> None:
    model = classifier.active()
    assert isinstance(model, Classifier)
    assert len(model._windows("hi")) == 1


def test_a_missing_model_leaves_the_rules_working(tmp_path: Path, restore: None) -> None:
    with pytest.raises(Exception):  # noqa: B017  (any failure to load)
        Classifier(tmp_path)
    classifier.install(None)  # what active() holds after such a failure
    assert screen("i want to die").level == "clear", "the rules still catch what they know"
    assert screen("we had pasta and watched a film").level == "none"
    assert analyse("You always lie to me.").kind == "blame"


def test_switched_off_means_rules_only(restore: None) -> None:
    classifier.configure(False)
    assert classifier.active() is None
    assert MODEL_SIGNAL not in screen("honestly a 1 today. made sure the dog has a home").signals


def test_verdicts_name_the_model_when_it_spoke() -> None:
    classifier.install(
        StandIn(category="abuse", default=0.7, blame=frozenset({"got it, your phone first"}))
    )
    try:
        verdict = screen("an ordinary sentence about dinner")
        assert (verdict.risk, verdict.level, verdict.signals) == ("abuse", "possible", ("model",))
        assert analyse("got it, your phone first").signals[-1] == "model"
        assert screen("i want to die").signals != ("model",), "a rule that fired is named"
    finally:
        classifier.configure(True)


def test_thresholds_keep_false_alarms_within_budget_and_above_floors() -> None:
    # 1000 harmless messages: the model's crisis mass spread evenly; rules misfire on 10
    harmless = [(i % 20 == 0 and i < 200, i / 1000) for i in range(1000)]
    cuts = choose_thresholds(harmless, [i / 100 for i in range(100)])
    levels = [
        decide(Screening("abuse", ("threat",), "clear") if fired else SAFE, mass, "abuse", cuts)
        for fired, mass in harmless
    ]
    assert sum(v.level == "clear" for v in levels) <= 10, "full response within 1%"
    assert sum(v.level != "none" for v in levels) <= 10 + 40, "the rules' 1%, the model's 4%"
    assert cuts["clear"] >= 0.85 and cuts["possible"] >= 0.3 and cuts["veto"] <= VETO_CAP


def test_a_budget_already_spent_by_the_rules_leaves_the_model_its_own() -> None:
    harmless = [(True, 0.9)] * 30 + [(False, i / 100) for i in range(70)]
    cuts = choose_thresholds(harmless, [0.1])
    assert cuts["possible"] > 0.6, "the model's questions stay within its own budget"
    assert cuts["veto"] == VETO_CAP, "the cap: a model this worried never overrules a rule"


def test_a_rule_is_questioned_only_when_the_model_is_sure_it_is_harmless() -> None:
    cuts = {"clear": 0.95, "possible": 0.6, "veto": 0.05, "blame": 0.6}
    ruled = Screening("danger_now", ("attack_now",), "clear")
    assert decide(ruled, 0.01, "none", cuts).level == "possible"
    assert decide(ruled, 0.01, "none", cuts).signals == ("attack_now",), "still explained"
    assert decide(ruled, 0.2, "abuse", cuts) == ruled
    assert decide(SAFE, 0.97, "self_harm", cuts).level == "clear"
    assert decide(SAFE, 0.7, "self_harm", cuts).level == "possible"
    assert decide(SAFE, 0.5, "self_harm", cuts).level == "none"


def test_augmentation_types_like_a_phone_and_is_seeded() -> None:
    import random

    one = [augment("I don't know, you are really late because of work.", random.Random(3))]
    two = [augment("I don't know, you are really late because of work.", random.Random(3))]
    assert one == two
    variants = {augment("I don't know why you are late.", random.Random(s)) for s in range(40)}
    assert any(v == v.lower() and "." not in v for v in variants)
    assert any("u" in v.split() or "idk" in v for v in variants)
