"""Times and stretches of time as people type them (flows.language.times).

`tests/data/times.tsv` holds 40 answers written the way people type them on a phone, with
what each means, written before the parser; every one must keep reading right.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from flows.language.times import parse_range, parse_time

DATA = Path(__file__).parent.parent / "data" / "times.tsv"


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in DATA.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, typed, expected = line.split("\t")
            rows.append((kind, typed, expected))
    return rows


def _shown(found: time | tuple[time, time] | None) -> str:
    if found is None:
        return "none"
    if isinstance(found, tuple):
        return f"{found[0]:%H:%M}-{found[1]:%H:%M}"
    return f"{found:%H:%M}"


@pytest.mark.parametrize(("kind", "typed", "expected"), _rows(), ids=[r[1] for r in _rows()])
def test_answers_as_people_type_them(kind: str, typed: str, expected: str) -> None:
    found = parse_time(typed) if kind == "time" else parse_range(typed)
    assert _shown(found) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("seven thirty", time(7, 30)),
        ("half seven", time(7, 30)),
        ("quarter to 8", time(7, 45)),
        ("quarter to one", time(12, 45)),
        ("20 past 9", time(9, 20)),
        ("8 at night", time(20, 0)),
        ("12 at night", time(0, 0)),
        ("7:30 in the morning", time(7, 30)),
        ("at 8 pls", time(8, 0)),
        ("8-ish", time(8, 0)),
        ("730pm", time(19, 30)),
        ("1230am", time(0, 30)),
        ("19 h 30", time(19, 30)),
        ("12", time(12, 0)),
        ("3:00 PM", time(15, 0)),
    ],
)
def test_more_ways_of_saying_a_time(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["tonight", "24", "half", "quarter to", "7:30:15", "now-ish"])
def test_what_is_not_a_time_is_asked_again(typed: str) -> None:
    assert parse_time(typed) is None


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        # Beside an end on the 24-hour clock, a bare hour is on it too.
        ("23-7", time(23), time(7)),
        ("7-23", time(7), time(23)),
        ("22-06", time(22), time(6)),
        # Beside an end with am/pm: the shorter stretch, as people say "9-5pm".
        ("11-7am", time(23), time(7)),
        ("9-5pm", time(9), time(17)),
        ("1-6pm", time(13), time(18)),
        ("10pm-6", time(22), time(6)),
        # Both bare: read as a night.
        ("11 - 7", time(23), time(7)),
        ("9-5", time(21), time(5)),
        ("1-7", time(1), time(7)),
        ("8-8", time(20), time(8)),
        ("10-12", time(22), time(0)),
        ("from 11 to 6:30", time(23), time(6, 30)),
        ("midnight-7", time(0), time(7)),
        ("10 to midnight", time(22), time(0)),
        ("from 9 at night to 7 in the morning", time(21), time(7)),
        ("11pm -> 7am", time(23), time(7)),
        ("noon to 2pm", time(12), time(14)),
    ],
)
def test_bare_hours_in_a_stretch_are_read_the_way_people_mean_them(
    typed: str, start: time, end: time
) -> None:
    assert parse_range(typed) == (start, end)


@pytest.mark.parametrize(
    "typed", ["7pm", "off", "10", "11pm-11pm", "23-23", "soon-later", "10pm 7am 8am", "1-2-3"]
)
def test_a_stretch_needs_two_different_times(typed: str) -> None:
    assert parse_range(typed) is None
