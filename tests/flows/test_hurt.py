from __future__ import annotations

from flows.core import content
from flows.core.contract import JournalRecord
from tests.flows.driver import Chat


def started() -> Chat:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    assert chat.where == ("hurt", "what")
    return chat


def test_naming_the_hurt_saves_all_three_parts() -> None:
    chat = started()
    chat.text("She hid a second phone and lied about it")
    assert chat.where == ("hurt", "landed")
    chat.text("Small. Like I did not matter.")
    chat.text("Feeling safe at home")
    assert chat.where == ("hurt", "review")
    assert "She hid a second phone and lied about it" in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert chat.records == [
        JournalRecord(
            "hurt",
            (
                ("what", "She hid a second phone and lied about it"),
                ("landed", "Small. Like I did not matter."),
                ("broke", "Feeling safe at home"),
            ),
        )
    ]
    assert "forgive" in chat.said, "the step ends by lifting any pressure to forgive"


def test_optional_parts_can_be_skipped() -> None:
    chat = started()
    chat.text("He forgot our anniversary again")
    chat.pick("skip")
    chat.pick("skip")
    assert chat.where == ("hurt", "review")
    assert content.text("hurt.skipped") in chat.said
    chat.pick("save")
    assert chat.records == [JournalRecord("hurt", (("what", "He forgot our anniversary again"),))]


def test_editing_one_part_returns_to_the_review() -> None:
    chat = started()
    chat.text("first version")
    chat.text("sad")
    chat.text("trust")
    chat.pick("edit")
    chat.pick("landed")
    assert chat.where == ("hurt", "landed")
    chat.text("furious, then very sad")
    assert chat.where == ("hurt", "review")
    assert "furious, then very sad" in chat.said
    assert "_editing" not in chat.conversation.slots


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = started()
    chat.text("a")
    chat.text("b")
    chat.text("c")
    chat.pick("edit")
    chat.pick("review")
    assert chat.where == ("hurt", "review")
    assert chat.conversation.slots == {"what": "a", "landed": "b", "broke": "c"}


def test_start_over_clears_the_answers() -> None:
    chat = started()
    chat.text("a")
    chat.text("b")
    chat.text("c")
    chat.pick("restart")
    assert chat.where == ("hurt", "what")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_empty_text_is_not_an_answer() -> None:
    chat = started()
    chat.text("   ")
    assert chat.where == ("hurt", "what")
    assert content.text("global", "empty_text") in chat.said


def test_back_undoes_the_last_answer_and_keeps_earlier_ones() -> None:
    chat = started()
    chat.text("what happened")
    chat.text("how it landed")
    assert chat.where == ("hurt", "broke")
    chat.command("back")
    assert chat.where == ("hurt", "landed")
    assert chat.conversation.slots == {"what": "what happened"}
    chat.command("back")
    assert chat.where == ("hurt", "what")
    chat.command("back")
    assert content.text("global", "back_none") in chat.said
    assert chat.where == ("hurt", "what")


def test_cancel_leaves_without_saving() -> None:
    chat = started()
    chat.text("something")
    chat.command("cancel")
    assert chat.conversation.idle
    assert chat.records == []
    assert content.text("global", "cancel_done") in chat.said
