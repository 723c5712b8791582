from __future__ import annotations

from dataclasses import replace

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


def test_both_shared_scores_are_shown_only_while_both_are_safe_for_two() -> None:
    from flows.core.contract import Profile, Together

    safe = Profile(True, "both", safety_checked_on="2026-03-01")
    shown = content.text("checkin.together", day="2026-02-28", mine="3", theirs="4")
    for profile, partner_safe, expected in (
        (safe, True, True),
        (replace(safe, paused="self_harm"), True, False),  # after a crisis: nothing of them
        (replace(safe, track="individual"), True, False),
        (safe, False, False),  # the partner is not safe for two: nothing about them
    ):
        chat = Chat(profile)
        chat.memory.together_scores = Together("2026-02-28", 3, 4, partner_safe)
        chat.command("checkin")
        assert chat.where == ("checkin", "score")
        assert (shown in chat.said) is expected, (profile, partner_safe)


# --- a hard day is met with care and a next step ----------------------------------------------


def test_a_low_score_and_a_hard_note_get_care_and_a_way_to_go_on() -> None:
    chat = started()
    chat.pick("1")
    chat.text("Rough day. Couldn't stop picturing them together.")
    assert chat.records == [
        CheckinRecord("2026-03-01", 1, "Rough day. Couldn't stop picturing them together.")
    ]
    said_back, care = (r.text for r in chat.last)
    assert "pictures" in said_back.casefold()
    assert "/trigger" in care and "/safety" in care
    assert content.text("checkin.saved") not in chat.said


def test_a_low_score_without_words_still_gets_care() -> None:
    chat = started()
    chat.pick("2")
    chat.pick("skip")
    assert chat.said == content.text("checkin.care")


def test_a_hard_note_gets_care_whatever_the_score() -> None:
    chat = started()
    chat.pick("4")
    chat.text("i cried all day and couldnt sleep")
    assert content.text("checkin.care") in chat.said


def test_a_good_day_is_met_plainly() -> None:
    chat = started()
    chat.pick("4")
    chat.text("rough morning but we laughed a lot tonight")
    assert content.text("checkin.saved") in chat.said
    assert "/trigger" not in chat.said


def test_their_feeling_words_are_met() -> None:
    chat = started()
    chat.pick("3")
    chat.text("feeling hopeful and a bit closer")
    assert chat.last[0].text.casefold().startswith("hopeful")


def test_linked_partners_hear_the_words_met_first_and_the_care_at_the_end() -> None:
    from flows.core.contract import Profile

    chat = Chat(Profile(True, "hurt", paired=True, safety_checked_on="2026-03-01"))
    chat.command("checkin")
    chat.pick("1")
    chat.text("Couldn't stop picturing them together")
    assert chat.where == ("checkin", "share")
    assert "pictures" in chat.last[0].text.casefold()
    assert "/trigger" not in chat.said
    chat.pick("no")
    assert chat.said == content.text("checkin.care")
