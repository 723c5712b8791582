"""The one normaliser every language check starts from."""

from __future__ import annotations

from flows.language.normalise import join_apostrophes, label, printable, strip_accents, unify


def test_look_alikes_become_one_form() -> None:
    assert unify("I\u2019m \u201cfine\u201d\u200b") == "I'm \"fine\""
    assert unify("ｆｉｎｅ") == "fine"
    assert unify("plain ascii stays") == "plain ascii stays"


def test_accents_controls_and_apostrophes() -> None:
    assert strip_accents("São Paulo, Zürich") == "Sao Paulo, Zurich"
    assert printable("a\tb\x1bc") == "a b c"
    assert join_apostrophes("St. John’s") == "St. Johns"


def test_labels_compare_as_people_type_them() -> None:
    assert label("  My OWN… ") == label("my own...") == "my own"
    assert label("I\u2019d rather not say.") == "i'd rather not say"
    assert label("²") != "2"
