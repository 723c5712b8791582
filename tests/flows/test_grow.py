"""/grow: not back to normal but forward: what I learned, the next chapter, one small step."""

from __future__ import annotations

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Choice, JournalRecord, Profile
from flows.steps import grow
from tests.flows.driver import Chat

LEARNED = "We both go quiet when we are scared"
CHAPTER = "Saying the hard things early"
STEP = "A ten-minute talk on Sunday evenings"


def started(role: str = "hurt") -> Chat:
    chat = Chat()
    chat.onboard(role)
    chat.command("grow")
    assert chat.where == ("grow", "learned")
    return chat


def at_review() -> Chat:
    chat = started()
    chat.text(LEARNED)
    chat.text(CHAPTER)
    chat.text(STEP)
    assert chat.where == ("grow", "review")
    return chat


def test_reflections_are_saved() -> None:
    chat = started()
    assert "Going back to exactly how things were" in chat.said, "no pressure to return to normal"
    chat.text(LEARNED)
    assert chat.where == ("grow", "next_chapter")
    chat.text(CHAPTER)
    assert chat.where == ("grow", "next_step")
    chat.text(STEP)
    for part in (LEARNED, CHAPTER, STEP):
        assert part in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert chat.records == [
        JournalRecord(
            "grow", (("learned", LEARNED), ("next_chapter", CHAPTER), ("next_step", STEP))
        )
    ]
    assert content.text("grow.saved") in chat.said


def test_the_next_chapter_can_be_skipped() -> None:
    chat = started()
    chat.text(LEARNED)
    chat.pick("skip")
    assert chat.where == ("grow", "next_step")
    chat.text(STEP)
    assert content.text("grow.skipped") in chat.said
    chat.pick("save")
    assert chat.records == [JournalRecord("grow", (("learned", LEARNED), ("next_step", STEP)))]


@pytest.mark.parametrize("part", grow.PARTS)
def test_each_part_can_be_edited(part: str) -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick(part)
    assert chat.where == ("grow", part)
    chat.text("a new answer")
    assert chat.where == ("grow", "review")
    assert chat.conversation.slots[part] == "a new answer"
    assert "_editing" not in chat.conversation.slots


def test_skipping_while_editing_returns_to_the_review() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("next_chapter")
    chat.pick("skip")
    assert chat.where == ("grow", "review")
    assert "next_chapter" not in chat.conversation.slots


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("review")
    assert chat.conversation.slots == {
        "learned": LEARNED,
        "next_chapter": CHAPTER,
        "next_step": STEP,
    }


def test_start_over_forgets_everything() -> None:
    chat = at_review()
    chat.pick("restart")
    assert chat.where == ("grow", "learned")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_back_undoes_the_last_answer() -> None:
    chat = started()
    chat.text(LEARNED)
    chat.text(CHAPTER)
    chat.command("back")
    assert chat.where == ("grow", "next_chapter")
    assert chat.conversation.slots == {"learned": LEARNED}


def test_empty_text_gets_a_gentle_nudge() -> None:
    chat = started()
    chat.text("")
    assert chat.where == ("grow", "learned")
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("state", ["review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(state: str) -> None:
    chat = at_review()
    if state == "edit":
        chat.pick("edit")
    chat.text("hmm")
    assert chat.where == ("grow", state)
    assert content.text(f"grow.{state}", "hint") in chat.said


def test_a_made_up_button_changes_nothing() -> None:
    chat = started()
    chat.text(LEARNED)
    chat.send(Choice("grow.next_chapter.nonsense"))
    assert chat.where == ("grow", "next_chapter")
    assert content.text("grow.next_chapter", "hint") in chat.said


def test_open_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "both", track="individual", safety_checked_on="2026-03-01"))
    chat.command("grow")
    assert chat.where == ("grow", "learned")


# --- copy -------------------------------------------------------------------------------------


def test_menu_text_and_journal_labels() -> None:
    assert coach.command_menu()["grow"] == content.text("grow.command")
    labels = content.section("grow.journal")
    assert labels["kind"] == "Growing forward"
    assert set(labels["parts"]) == set(grow.PARTS)
