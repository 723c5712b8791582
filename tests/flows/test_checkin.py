from __future__ import annotations

from flows.core import content
from flows.core.contract import CheckinRecord
from tests.flows.driver import Chat


def started() -> Chat:
    chat = Chat()
    chat.onboard()
    chat.command("checkin")
    assert chat.where == ("checkin", "score")
    return chat


def test_a_score_and_a_few_words() -> None:
    chat = started()
    chat.pick("4")
    assert chat.where == ("checkin", "words")
    chat.text("We walked after dinner")
    assert chat.records == [CheckinRecord("2026-03-01", 4, "We walked after dinner")]
    assert content.text("checkin.saved") in chat.said


def test_words_are_optional_and_a_typed_number_counts() -> None:
    chat = started()
    chat.text("2")
    chat.pick("skip")
    assert chat.records == [CheckinRecord("2026-03-01", 2, None)]


def test_only_one_to_five() -> None:
    chat = started()
    chat.text("7")
    assert chat.where == ("checkin", "score")
    chat.text("pretty good")
    assert chat.where == ("checkin", "score")
    assert chat.records == []


def test_a_second_check_in_today_says_it_replaces_the_first() -> None:
    chat = Chat()
    chat.onboard()
    chat.memory.checkins["2026-03-01"] = 3
    chat.command("checkin")
    assert content.text("checkin.score", "again", score="3") in chat.said
    chat.pick("5")
    chat.pick("skip")
    assert chat.records == [CheckinRecord("2026-03-01", 5, None)]
