from __future__ import annotations

import pytest

from flows.core import content
from flows.core.contract import JournalRecord
from tests.flows.driver import Chat


def started() -> Chat:
    chat = Chat()
    chat.onboard("both")
    chat.command("reframe")
    assert chat.where == ("reframe", "draft")
    return chat


def saved_statement(chat: Chat) -> str:
    assert len(chat.records) == 1
    record = chat.records[0]
    assert isinstance(record, JournalRecord) and record.kind == "statement"
    return dict(record.parts)["statement"]


def test_blame_is_named_gently_and_rebuilt_as_i_felt() -> None:
    chat = started()
    chat.text("You always put your phone before me")
    assert chat.where == ("reframe", "feeling")
    assert content.text("reframe.blame") in chat.said
    assert content.section("reframe.signals")["you_always"] in chat.said
    chat.pick("lonely")
    assert chat.where == ("reframe", "event")
    assert "lonely" in chat.said
    chat.text("when you looked at your phone during dinner.")
    chat.pick("close")
    assert chat.where == ("reframe", "review")
    expected = (
        "I felt lonely when you looked at your phone during dinner, because I need closeness."
    )
    assert expected in chat.said
    chat.pick("save")
    assert saved_statement(chat) == expected
    assert chat.conversation.idle


def test_an_honest_statement_is_affirmed_at_once() -> None:
    chat = started()
    mine = "I felt scared when the call went unanswered, because I need to know you are okay"
    chat.text(mine)
    assert chat.where == ("reframe", "review")
    assert content.text("reframe.honest") in chat.said
    chat.pick("save")
    assert saved_statement(chat) == mine


def test_an_honest_statement_can_still_be_shaped_with_the_builder() -> None:
    chat = started()
    chat.text("I felt hurt when plans changed without a word")
    chat.pick("build")
    assert chat.where == ("reframe", "feeling")


def test_typed_words_are_tidied_into_the_template() -> None:
    chat = started()
    chat.text("you never tell me anything")
    chat.text("I felt invisible")
    chat.text("When I found out from a friend")
    chat.text("because I need honesty.")
    assert "I felt invisible when I found out from a friend, because I need honesty." in chat.said


def test_another_word_lets_them_type_their_own() -> None:
    chat = started()
    chat.text("you never listen")
    chat.pick("other")
    assert chat.where == ("reframe", "feeling_own")
    chat.text("small")
    assert chat.where == ("reframe", "event")
    chat.text("I was interrupted in the middle of a story")
    chat.pick("other")
    chat.text("patience")
    assert "I felt small when I was interrupted in the middle of a story" in chat.said


def test_a_thought_about_them_is_not_taken_as_the_feeling() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("like you don't care about me at all")
    assert chat.where == ("reframe", "feeling")
    assert content.text("reframe.not_a_feeling") in chat.said


def test_a_blaming_moment_can_be_rephrased_or_kept() -> None:
    chat = started()
    chat.text("you always do this")
    chat.pick("sad")
    chat.text("you were selfish and always are")
    assert chat.where == ("reframe", "event_check")
    assert chat.conversation.slots["event_draft"] == "you were selfish and always are"
    chat.pick("keep")
    assert chat.where == ("reframe", "need")
    assert chat.conversation.slots["event"] == "you were selfish and always are"


def test_a_blaming_moment_rephrased_moves_on() -> None:
    chat = started()
    chat.text("you always do this")
    chat.pick("sad")
    chat.text("you are so selfish")
    chat.text("you left the party without me")
    assert chat.where == ("reframe", "need")
    assert "event_draft" not in chat.conversation.slots


def test_a_jab_inside_the_moment_is_noticed_and_a_plain_fact_is_not() -> None:
    chat = started()
    chat.text("you always do this")
    chat.pick("sad")
    chat.text("when you lied to my face like the coward you are")
    assert chat.where == ("reframe", "event_check"), "the name-calling inside it shows"
    chat = started()
    chat.text("you always do this")
    chat.pick("lonely")
    chat.text("I was telling you about my day and you looked at your phone")
    assert chat.where == ("reframe", "need")


@pytest.mark.model
def test_the_model_reads_the_moment_inside_its_sentence() -> None:
    chat = started()
    chat.text("you always do this")
    chat.pick("lonely")
    chat.text("I was telling you about my day and you looked at your phone")
    assert chat.where == ("reframe", "need"), "a plain fact about the moment is not blame"


def test_editing_a_part_comes_back_to_the_draft() -> None:
    chat = started()
    chat.text("you never call")
    chat.pick("sad")
    chat.text("the evening passed without a call")
    chat.pick("reassure")
    chat.pick("edit")
    chat.pick("need")
    chat.pick("consistent")
    assert chat.where == ("reframe", "review")
    assert "because I need consistency" in chat.said


def test_start_over_forgets_everything() -> None:
    chat = started()
    chat.text("you never call")
    chat.pick("sad")
    chat.text("no call all evening")
    chat.pick("time")
    chat.pick("restart")
    assert chat.where == ("reframe", "draft")
    assert chat.conversation.slots == {}


def test_a_neutral_draft_is_guided_without_talk_of_blame() -> None:
    chat = started()
    chat.text("Can we talk tonight?")
    assert chat.where == ("reframe", "feeling")
    assert content.text("reframe.neutral") in chat.said
    assert content.text("reframe.blame") not in chat.said


def test_every_blame_signal_has_a_gentle_explanation() -> None:
    from flows.language.blame import BLAME_SIGNALS

    explained = content.section("reframe.signals")
    assert set(BLAME_SIGNALS) <= set(explained), set(BLAME_SIGNALS) - set(explained)


def test_the_sentence_reads_naturally_whatever_was_typed() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("I am feeling unseen")
    assert chat.conversation.slots["feeling"] == "unseen"
    chat.text("When when He left the party early?")
    assert chat.conversation.slots["event"] == "he left the party early"
    chat.text("because I need to know the truth?")
    assert "I felt unseen when he left the party early, because I need to know the truth." in (
        chat.said
    )


def test_curly_apostrophes_and_capitals_are_tidied() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("i’m Sad")
    assert chat.conversation.slots["feeling"] in {"Sad", "sad"}
    chat.text("Ana cancelled dinner")
    assert chat.conversation.slots["event"] == "Ana cancelled dinner", "names keep capitals"


def test_a_number_that_is_not_an_option_is_not_taken_as_words() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("12")
    assert chat.where == ("reframe", "feeling")
    assert content.text("global", "pick_an_option") in chat.said
    chat.text("²")
    assert chat.where == ("reframe", "feeling"), "no crash on other digits either"


def test_labels_match_with_three_dots() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("Another word...")
    assert chat.where == ("reframe", "feeling_own")


def test_i_feel_like_is_a_thought_not_a_feeling() -> None:
    chat = started()
    chat.text("you never listen")
    chat.text("I feel like nobody cares")
    assert chat.where == ("reframe", "feeling")
