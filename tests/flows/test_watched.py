"""Someone who says their phone is gone through hears, plainly, that this chat may be seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core import content
from flows.language.watched import watched
from tests.flows import blind
from tests.flows.driver import Chat

BLIND = Path(__file__).parents[1] / "data" / "watched" / "blind-1.tsv"
SEEN = content.text("privacy.watched")


@pytest.mark.parametrize(
    "text",
    [
        "he checks my phone every night",
        "my husband goes thru my phone when im asleep",
        "she reads all my texts",
        "he has my location on life360 and gets mad if i turn it off",
        "pretty sure she put something on my phone",
        "my bf knows my passcode",
        "he makes me show him my phone before bed",
    ],
)
def test_someone_else_going_through_their_things_counts(text: str) -> None:
    assert watched(text)


@pytest.mark.parametrize(
    "text",
    [
        "I keep checking his phone",
        "i found the texts on her phone",
        "id let her check my phone if she wanted",
        "he used to read my texts",
        "my mom checks in on me every day",
        "he looked at me and cried",
    ],
)
def test_the_writer_watching_an_offer_or_the_past_does_not(text: str) -> None:
    assert not watched(text)


def test_a_blind_batch_written_without_seeing_the_rule() -> None:
    """Scored before it joined: accuracy 0.750, precision 0.926, recall 0.543 (docs/language.md)."""
    rows = blind.rows(BLIND.parent, 2)
    right = sum(watched(text) == (label == "watched") for label, text in rows)
    caught = sum(watched(text) for label, text in rows if label == "watched")
    assert right / len(rows) >= 0.95
    assert caught / sum(label == "watched" for label, _ in rows) >= 0.95


def test_a_person_under_control_is_told_the_chat_may_be_seen_and_what_helps() -> None:
    chat = Chat()
    chat.onboard("broke")
    chat.command("own")
    chat.text("we agreed she can look at my phone and she does, most nights")
    assert chat.where[0] == "own"
    assert SEEN in chat.said
    assert "/exit" in SEEN and "/discreet" in SEEN
    assert chat.last[-1].text != SEEN, "the question they were on is still the last thing said"


def test_in_discreet_mode_it_does_not_offer_what_is_already_on() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("discreet")
    chat.text("she reads all my texts")
    assert content.text("privacy.watched", "discreet_on") in chat.said
    assert SEEN not in chat.said


def test_nothing_is_said_about_it_when_nobody_watches() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    chat.text("I found the messages on his phone last night")
    assert SEEN not in chat.said


def test_after_abuse_the_word_about_privacy_comes_before_the_question_with_its_options() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text("he checks my phone every night and i am scared of him")
    said = [r.text for r in chat.last]
    assert chat.where[0] == "safety"
    assert SEEN in said[:-1], "said before the question"
    assert chat.last[-1].options, "so the last message keeps the options a number picks"


def test_a_question_about_who_can_read_this_gets_a_straight_answer_and_keeps_the_step() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("safetyplan")
    for _ in range(5):
        chat.pick("skip")
    assert chat.where == ("safetyplan", "review")
    chat.text("what if he reads it")
    assert content.text("privacy.answer") in chat.said
    assert chat.where == ("safetyplan", "review"), "the plan waits, untouched"
    chat.pick("drop")
    assert chat.conversation.idle and not chat.records, "and it can be left unkept"


def test_a_privacy_question_is_never_taken_as_the_answer_to_a_step() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    chat.text("can my husband see what i write here?")
    assert chat.where == ("hurt", "what")
    assert content.text("privacy.answer") in chat.said


def test_mend_never_claims_that_only_you_can_see_it() -> None:
    """Anyone who can open the chat can read it: the copy says what Mend does, not more."""
    from pathlib import Path

    folder = Path(__file__).parents[2] / "flows" / "content"
    for path in folder.rglob("*.toml"):
        assert "only you can see" not in path.read_text("utf-8").casefold(), path
        assert "only you will see" not in path.read_text("utf-8").casefold(), path
