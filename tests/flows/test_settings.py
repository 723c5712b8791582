"""Quiet hours in /settings, said the way people say them, through the coach."""

from __future__ import annotations

import pytest

from flows.core import content
from flows.core.contract import Profile, RitualItem
from tests.flows.driver import Chat


def at_quiet_hours(profile: Profile | None = None) -> Chat:
    chat = Chat(profile or Profile(consented=True, role="hurt", timezone="Europe/Berlin"))
    chat.command("settings")
    chat.pick("quiet")
    assert chat.where == ("settings", "quiet")
    return chat


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("11pm to 7am", "23:00", "07:00"),
        ("23-7", "23:00", "07:00"),
        ("from 10pm till 6", "22:00", "06:00"),
        ("10 pm - 6 am", "22:00", "06:00"),
        ("23:00–07:00", "23:00", "07:00"),
        ("11-7", "23:00", "07:00"),
    ],
)
def test_quiet_hours_typed_in_one_message(typed: str, start: str, end: str) -> None:
    chat = at_quiet_hours()
    chat.text(typed)
    assert (chat.profile.quiet_from, chat.profile.quiet_to) == (start, end)
    assert f"Quiet from {start} to {end}" in chat.said
    assert f"Quiet hours: {start}–{end}" in chat.said, "the settings show them"
    assert chat.where == ("settings", "menu")


def test_quiet_hours_step_by_step_and_a_typed_number_stays_a_time() -> None:
    """ "11pm", then "7": the start, then the end (7 is 07:00, not the 7th of anything)."""
    chat = at_quiet_hours()
    chat.text("11pm")
    assert chat.where == ("settings", "quiet_until")
    assert "Quiet from 23:00. Until what time?" in chat.said
    chat.text("7")
    assert (chat.profile.quiet_from, chat.profile.quiet_to) == ("23:00", "07:00")


def test_an_end_that_is_the_start_is_asked_again() -> None:
    chat = at_quiet_hours()
    chat.text("23:00")
    chat.text("11pm")
    assert chat.where == ("settings", "quiet_until")
    assert content.text("settings.quiet_until", "hint") in chat.said
    assert not chat.profile.quiet_from, "nothing kept yet"
    chat.text("half 7")
    assert (chat.profile.quiet_from, chat.profile.quiet_to) == ("23:00", "07:30")


def test_the_night_is_offered_with_one_tap() -> None:
    chat = at_quiet_hours()
    labels = [o.label for r in chat.last for o in r.options]
    assert "22:00–08:00, overnight" in labels
    chat.pick("night")
    assert (chat.profile.quiet_from, chat.profile.quiet_to) == ("22:00", "08:00")


def test_no_quiet_hours_says_the_night_still_waits() -> None:
    chat = at_quiet_hours(
        Profile(consented=True, timezone="Europe/Berlin", quiet_from="23:00", quiet_to="07:00")
    )
    chat.text("no quiet hours")
    assert chat.profile.quiet_from is None and chat.profile.quiet_to is None
    assert "still waits out 22:00–08:00" in chat.said
    assert "Quiet hours: none of your own" in chat.said


def test_words_that_are_not_a_time_get_a_nudge_and_the_question_again() -> None:
    chat = at_quiet_hours()
    chat.text("when I'm asleep")
    assert chat.where == ("settings", "quiet")
    assert content.text("settings.quiet", "hint") in chat.said
    assert content.text("settings.quiet") in chat.said


def test_rituals_that_fall_inside_new_quiet_hours_are_named() -> None:
    chat = at_quiet_hours()
    chat.memory.ritual_items = [
        RitualItem(1, "coffee", None, "07:30", "0123456"),
        RitualItem(2, "own", "a walk after dinner", "19:00", "0123456"),
    ]
    chat.text("11pm-8am")
    assert "No reminder will come inside them for: A coffee together" in chat.said
    assert "a walk after dinner" not in chat.said
