"""The lines said back (flows.core.heard): the same words get the same line, the line just
said is not said again straight after, and none is a diagnosis or an echo of long text."""

from __future__ import annotations

import re

from flows.core import content
from flows.core.heard import Listen, line_for

WHAT = Listen(("duration", "kind"))
NOTE = Listen(("feelings", "hard"), fallback="note")


def test_the_same_words_get_the_same_line() -> None:
    text = "He slept with his coworker for six months"
    assert line_for(text, WHAT) == line_for(text, WHAT)


def test_the_line_just_said_is_not_said_again_straight_after() -> None:
    text = "she lied about where she was"
    first = line_for(text, WHAT)
    assert first is not None
    again = line_for(text, WHAT, last=first[1])
    assert again is not None and again[1] != first[1] and again[0] != first[0]


def test_nothing_to_say_back_says_nothing() -> None:
    assert line_for("ok", Listen(("feelings",))) is None
    assert line_for("ok", NOTE) is not None  # a note is thanked, at least


def test_at_most_two_of_their_feeling_words() -> None:
    found = line_for("i feel hurt, angry, stupid and numb", NOTE)
    assert found is not None
    assert found[0].startswith("Hurt and angry") or "hurt and angry" in found[0]
    assert "stupid" not in found[0] and "numb" not in found[0]


def test_every_line_fills_and_none_diagnoses() -> None:
    lines = content.section("heard")
    diagnosis = re.compile(r"trauma|ptsd|disorder|depress|anxiety|narciss|toxic|gaslight", re.I)
    for group, said in lines.items():
        assert len(said) >= 3, f"{group}: at least three ways to say it"
        for line in said:
            assert not diagnosis.search(line), line
            assert set(re.findall(r"{(\w+)}", line)) <= {
                "feelings",
                "Feelings",
                "duration",
                "Duration",
            }, line
