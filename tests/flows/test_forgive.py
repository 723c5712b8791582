from __future__ import annotations

from dataclasses import replace

from flows import coach
from flows.core import content
from flows.core.contract import Choice, Conversation, JournalItem, JournalRecord, Profile
from flows.steps import forgive
from tests.flows.driver import Chat, Memory


def started(chat: Chat | None = None) -> Chat:
    chat = chat or Chat()
    chat.onboard("hurt")
    chat.command("forgive")
    assert chat.where == ("forgive", "score")
    return chat


def saved(chat: Chat) -> JournalRecord:
    assert len(chat.records) == 1
    record = chat.records[0]
    assert isinstance(record, JournalRecord)
    assert record.kind == "forgive"
    return record


def entry(score: str, on: str, words: str = "") -> JournalItem:
    parts = (("score", score), ("words", words)) if words else (("score", score),)
    return JournalItem("forgive", parts, on)


def test_the_scale_runs_from_not_at_all_to_mostly_there_without_a_target() -> None:
    chat = started()
    labels = [o.label for o in chat.last[-1].options]
    assert len(labels) == 5
    assert "okay" in labels[0].casefold()
    assert labels[-1] == "Mostly there"
    assert "should" not in chat.said.casefold()
    assert [o.key for o in chat.last[-1].options] == [f"forgive.score.{n}" for n in "12345"]


def test_a_score_and_words_are_kept_together() -> None:
    chat = started()
    chat.pick("2")
    assert chat.where == ("forgive", "words")
    chat.text("Some mornings are lighter than others")
    assert chat.where == ("forgive", "review")
    assert content.options("forgive.score")["2"] in chat.said
    assert "Some mornings are lighter than others" in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert saved(chat).parts == (("score", "2"), ("words", "Some mornings are lighter than others"))
    assert content.text("forgive.saved") in chat.said


def test_words_are_optional() -> None:
    chat = started()
    chat.pick("1")
    chat.pick("skip")
    assert chat.where == ("forgive", "review")
    assert content.text("forgive.review", "no_words") in chat.said
    chat.pick("save")
    assert saved(chat).parts == (("score", "1"),)


def test_typing_the_number_counts_as_choosing_it() -> None:
    chat = started()
    chat.text("4")
    assert chat.where == ("forgive", "words")
    assert chat.conversation.slots["score"] == "4"


def test_anything_else_on_the_scale_gets_a_gentle_hint() -> None:
    chat = started()
    chat.text("I honestly don't know")
    assert chat.where == ("forgive", "score")
    assert content.text("forgive.score", "hint") in chat.said
    chat.text("7")
    assert chat.where == ("forgive", "score")
    assert content.text("global", "pick_an_option") in chat.said


def test_empty_words_are_not_an_answer() -> None:
    chat = started()
    chat.pick("3")
    chat.text("   ")
    assert chat.where == ("forgive", "words")
    assert content.text("global", "empty_text") in chat.said


def test_the_answer_and_the_words_can_be_changed_before_saving() -> None:
    chat = started()
    chat.pick("3")
    chat.text("first words")
    chat.pick("score")
    assert chat.where == ("forgive", "score")
    chat.pick("5")
    assert chat.where == ("forgive", "review"), "changing the answer returns to the review"
    assert "_editing" not in chat.conversation.slots
    assert content.options("forgive.score")["5"] in chat.said
    chat.pick("words")
    chat.text("second words")
    assert chat.where == ("forgive", "review")
    chat.pick("save")
    assert saved(chat).parts == (("score", "5"), ("words", "second words"))


def test_it_can_be_let_go_unsaved() -> None:
    chat = started()
    chat.pick("3")
    chat.pick("skip")
    chat.pick("drop")
    assert chat.conversation.idle
    assert chat.records == []
    assert content.text("forgive.dropped") in chat.said


def test_back_mid_step_undoes_the_score() -> None:
    chat = started()
    chat.pick("2")
    chat.command("back")
    assert chat.where == ("forgive", "score")
    assert "score" not in chat.conversation.slots
    chat.pick("4")
    chat.pick("skip")
    chat.pick("save")
    assert saved(chat).parts == (("score", "4"),)


def test_the_first_check_in_says_there_is_nothing_to_compare_yet() -> None:
    chat = started()
    chat.pick("3")
    chat.pick("skip")
    chat.pick("save")
    assert content.text("forgive.look_back", "first") in chat.said


def test_the_look_back_shows_the_last_eight_oldest_first_without_judgement() -> None:
    chat = Chat()
    scores = ["4", "2", "5", "3", "1", "2", "3", "5", "5"]  # newest first, nine of them
    chat.memory.items = [
        JournalItem("hurt", (("what", "something"),), "28 Feb 2026"),
        *(entry(s, f"{20 - i:02d} Feb 2026") for i, s in enumerate(scores)),
        JournalItem("forgive", (("score", "nine"),), "01 Feb 2026"),  # not ours: skipped
    ]
    started(chat)
    chat.pick("1")
    chat.pick("skip")
    chat.pick("save")
    said = chat.said
    # the seven latest earlier ones, oldest first, then today's 1
    assert "▃▂▁▃▇▂▅▁" in said
    assert content.text("forgive.look_back", count="8") in said
    assert "check-in" not in said, "forgiveness answers are not the daily check-ins"
    assert "▃ 3  14 Feb 2026" in said
    assert f"▁ 1  {content.text('forgive.look_back', 'today')}" in said
    assert "13 Feb 2026" not in said, "only the last eight are shown"
    assert content.text("forgive.look_back", "neutral") in said
    for judging in ("progress", "better", "worse", "should", "behind"):
        assert judging not in said.casefold()


def test_with_nothing_stored_the_save_works_and_the_look_back_says_it_is_the_first() -> None:
    flow = forgive.FLOW
    conversation = Conversation("forgive", "review", {"score": "3"}, flow.version)
    after, turn = flow.fire(conversation, Profile(consented=True), "pick", "save")
    assert after.idle
    assert turn.records == [JournalRecord("forgive", (("score", "3"),))]
    assert [r.text for r in turn.replies] == [
        content.text("forgive.saved"),
        content.text("forgive.look_back", "first"),
    ]


def test_past_reads_only_well_formed_check_ins_newest_first() -> None:
    memory = Memory()
    memory.items = [
        entry("2", "03 Mar 2026"),
        JournalItem("win", (("win", "a calm evening"),), "02 Mar 2026"),
        JournalItem("forgive", (("words", "no score"),), "02 Mar 2026"),
        entry("5", "01 Mar 2026", "light"),
    ]
    assert forgive.past(memory) == [("03 Mar 2026", "2"), ("01 Mar 2026", "5")]
    assert forgive.past(Memory()) == []
    assert forgive.sparkline(["1", "2", "3", "4", "5", "x"]) == "▁▂▃▅▇"


def test_while_coaching_is_paused_the_step_rests() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.profile = replace(chat.profile, paused="self_harm")
    chat.command("forgive")
    assert chat.conversation.idle
    assert content.text("safety.paused") in chat.said
    chat.send(Choice("forgive.score.3"))  # a button from an earlier, unpaused prompt
    assert chat.conversation.idle
    assert chat.records == []


def test_on_the_individual_track_forgiving_them_is_never_asked() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.profile = replace(chat.profile, track="individual")
    chat.command("forgive")
    assert chat.conversation.idle
    assert content.text("safety.individual") in chat.said


def test_cancel_leaves_without_saving() -> None:
    chat = started()
    chat.pick("2")
    chat.command("cancel")
    assert chat.conversation.idle
    assert chat.records == []


def test_forgive_is_in_the_menu() -> None:
    assert coach.STARTS["forgive"] == "forgive"
    assert coach.command_menu()["forgive"] == content.text("forgive.command")
