"""/selftrust: what my instincts said, a line I held, one small act of trusting myself."""

from __future__ import annotations

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Choice, JournalRecord, Profile
from flows.steps import selftrust
from tests.flows.driver import Chat

INSTINCT = "Something felt off about the late meetings"
LINE = "I said no to pretending everything was fine"
ACT = "Decide about the weekend on my own"


def started(role: str = "hurt") -> Chat:
    chat = Chat()
    chat.onboard(role)
    chat.command("selftrust")
    assert chat.where == ("selftrust", "instinct")
    return chat


def at_review() -> Chat:
    chat = started()
    chat.text(INSTINCT)
    chat.text(LINE)
    chat.text(ACT)
    assert chat.where == ("selftrust", "review")
    return chat


def test_reflections_are_saved() -> None:
    chat = started()
    assert "natural" in chat.said, "doubting oneself is named as natural, not as a flaw"
    chat.text(INSTINCT)
    assert chat.where == ("selftrust", "held_line")
    chat.text(LINE)
    assert chat.where == ("selftrust", "small_act")
    chat.text(ACT)
    for part in (INSTINCT, LINE, ACT):
        assert part in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert chat.records == [
        JournalRecord(
            "selftrust", (("instinct", INSTINCT), ("held_line", LINE), ("small_act", ACT))
        )
    ]
    assert content.text("selftrust.saved") in chat.said


def test_the_line_can_be_skipped() -> None:
    chat = started()
    chat.text(INSTINCT)
    chat.pick("skip")
    assert chat.where == ("selftrust", "small_act")
    chat.text(ACT)
    assert content.text("selftrust.skipped") in chat.said
    chat.pick("save")
    assert chat.records == [
        JournalRecord("selftrust", (("instinct", INSTINCT), ("small_act", ACT)))
    ]


@pytest.mark.parametrize("part", selftrust.PARTS)
def test_each_part_can_be_edited(part: str) -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick(part)
    assert chat.where == ("selftrust", part)
    chat.text("a new answer")
    assert chat.where == ("selftrust", "review")
    assert chat.conversation.slots[part] == "a new answer"
    assert "_editing" not in chat.conversation.slots


def test_skipping_while_editing_returns_to_the_review() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("held_line")
    chat.pick("skip")
    assert chat.where == ("selftrust", "review")
    assert "held_line" not in chat.conversation.slots


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("review")
    assert chat.conversation.slots == {"instinct": INSTINCT, "held_line": LINE, "small_act": ACT}


def test_start_over_forgets_everything() -> None:
    chat = at_review()
    chat.pick("restart")
    assert chat.where == ("selftrust", "instinct")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_back_undoes_the_last_answer() -> None:
    chat = started()
    chat.text(INSTINCT)
    chat.text(LINE)
    chat.command("back")
    assert chat.where == ("selftrust", "held_line")
    assert chat.conversation.slots == {"instinct": INSTINCT}


def test_empty_text_gets_a_gentle_nudge() -> None:
    chat = started()
    chat.text("")
    assert chat.where == ("selftrust", "instinct")
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("state", ["review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(state: str) -> None:
    chat = at_review()
    if state == "edit":
        chat.pick("edit")
    chat.text("hmm")
    assert chat.where == ("selftrust", state)
    assert content.text(f"selftrust.{state}", "hint") in chat.said


def test_a_made_up_button_changes_nothing() -> None:
    chat = started()
    chat.text(INSTINCT)
    chat.send(Choice("selftrust.held_line.nonsense"))
    assert chat.where == ("selftrust", "held_line")
    assert content.text("selftrust.held_line", "hint") in chat.said


def test_open_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "hurt", track="individual", safety_checked_on="2026-03-01"))
    chat.command("selftrust")
    assert chat.where == ("selftrust", "instinct")


# --- copy -------------------------------------------------------------------------------------


def test_menu_text_and_journal_labels() -> None:
    assert coach.command_menu()["selftrust"] == content.text("selftrust.command")
    labels = content.section("selftrust.journal")
    assert labels["kind"] == "Trusting myself"
    assert set(labels["parts"]) == set(selftrust.PARTS)
