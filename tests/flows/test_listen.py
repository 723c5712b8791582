"""/listen: mirror their words, notice the urge to defend, name the feeling, keep the practice."""

from __future__ import annotations

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Choice, JournalRecord, Profile
from flows.core.machine import Turn
from flows.language.excuses import DEFENCES, defences
from flows.steps import listen
from tests.flows.driver import Chat

SAID = "You were never home, and I felt like I did not matter to you."
HEARD = "you felt alone when I kept working late, like you did not matter"


def started(role: str = "broke") -> Chat:
    chat = Chat()
    chat.onboard(role)
    chat.command("listen")
    assert chat.where == ("listen", "said")
    return chat


def at_review(urge: str | None = "I wanted to explain the overtime") -> Chat:
    chat = started()
    chat.text(SAID)
    chat.text(HEARD)
    chat.pick("lonely")
    if urge is None:
        chat.pick("skip")
    else:
        chat.text(urge)
    assert chat.where == ("listen", "review")
    return chat


def saved(chat: Chat) -> dict[str, str]:
    assert len(chat.records) == 1
    record = chat.records[0]
    assert isinstance(record, JournalRecord) and record.kind == "listen"
    return dict(record.parts)


# --- the path ------------------------------------------------------------------------------------


def test_listening_practice_ends_with_a_line_they_could_say() -> None:
    chat = started()
    chat.text(SAID)
    assert chat.where == ("listen", "reflection")
    chat.text("What I heard is that " + HEARD + ".")
    assert chat.where == ("listen", "their_feeling")
    chat.pick("lonely")
    assert chat.where == ("listen", "urge")
    assert content.text("listen.acknowledge", their_feeling="lonely") in chat.said
    assert "not the same as agreeing" in chat.said
    chat.text("I wanted to explain the overtime")
    assert chat.where == ("listen", "review")
    line = (
        "What I heard is that you felt alone when I kept working late, like you did not "
        "matter. It makes sense that you felt lonely. Did I get that right?"
    )
    assert line in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert saved(chat) == {
        "said": SAID,
        "reflection": HEARD,
        "their_feeling": "lonely",
        "urge": "I wanted to explain the overtime",
        "say_back": line,
    }
    assert content.text("listen.saved") in chat.said


def test_the_urge_can_be_skipped_and_is_not_saved() -> None:
    chat = at_review(urge=None)
    assert content.text("listen.skipped") in chat.said
    chat.pick("save")
    assert "urge" not in saved(chat)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("What I heard is: you were scared!", "you were scared"),
        (
            "what i’m hearing is that You felt invisible at the party…",
            "you felt invisible at the party",
        ),
        ("I heard that Ana's call hurt you", "Ana's call hurt you"),
        ("how lonely the evenings were for you", "how lonely the evenings were for you"),
    ],
)
def test_the_reflection_is_tidied_to_sit_inside_the_line(typed: str, kept: str) -> None:
    chat = started()
    chat.text(SAID)
    chat.text(typed)
    assert chat.conversation.slots["reflection"] == kept


def test_the_line_reads_naturally() -> None:
    def line(reflection: str, feeling: str) -> str:
        return listen.say_back({"reflection": reflection, "their_feeling": feeling})

    assert line("you were scared", "scared") == (
        "What I heard is that you were scared. It makes sense that you felt scared. "
        "Did I get that right?"
    )
    assert line("how lonely it was", "lonely").startswith("What I heard is how lonely it was.")
    assert line("that it hurt", "hurt").startswith("What I heard is that it hurt.")
    for text in (line(HEARD, "unseen"), line("how it felt", "sad")):
        assert "  " not in text and " ." not in text and "that that" not in text
        assert text.endswith("Did I get that right?")


# --- the gentle check for defending --------------------------------------------------------------


def test_a_defence_is_named_and_can_be_taken_out() -> None:
    chat = started()
    chat.text(SAID)
    defended = "What I heard is that you felt alone, but I was working so hard for us"
    chat.text(defended)
    assert chat.where == ("listen", "reflection_check")
    assert defended in chat.said
    assert content.section("listen.defences")["but"] in chat.said
    chat.pick("rewrite")
    assert chat.where == ("listen", "reflection")
    assert "draft" not in chat.conversation.slots
    chat.text(HEARD)
    assert chat.where == ("listen", "their_feeling")
    assert chat.conversation.slots["reflection"] == HEARD


def test_a_defence_can_be_kept_as_it_is() -> None:
    chat = started()
    chat.text(SAID)
    chat.text("What I heard is you felt alone, actually I was home most nights.")
    chat.pick("keep")
    assert chat.where == ("listen", "their_feeling")
    assert (
        chat.conversation.slots["reflection"] == "you felt alone, actually I was home most nights"
    )
    assert "draft" not in chat.conversation.slots


def test_typing_in_the_check_is_a_new_version_checked_again() -> None:
    chat = started()
    chat.text(SAID)
    chat.text("you felt alone but that is not true")
    chat.text("you felt alone, actually I was there")
    assert chat.where == ("listen", "reflection_check")
    assert chat.conversation.slots["draft"] == "you felt alone, actually I was there"
    assert content.section("listen.defences")["actually"] in chat.said
    chat.text("you felt alone")
    assert chat.where == ("listen", "their_feeling")


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        ("you felt alone when I stopped calling", ()),
        ("you wanted to trust me but could not", ()),
        ("you felt scared, but you still stayed", ()),
        ("it hurt that I lied, and you still feel foolish", ()),
        ("you think I care more about work than about you", ()),
        ("you felt hurt but that is not true", ("but", "not_true")),
        ("you felt alone but I was working late", ("but",)),
        ("you felt ignored, but you know I love you", ("but",)),
        ("you are wrong about the money", ("wrong",)),
        ("you said I forgot, that never happened", ("not_true",)),
        ("you think I lied, actually I did not", ("actually",)),
        ("you felt I did it on purpose, but I didnt mean to", ("but", "explaining")),
        ("you were upset, and to be fair I did call", ("explaining",)),
        ("you are overreacting", ("explaining", "judging")),
        ("you are so selfish about this", ("judging",)),
        ("what about the times you lied to me", ("explaining", "judging")),
    ],
)
def test_defences_in_a_reflection(text: str, signals: tuple[str, ...]) -> None:
    assert defences(text) == signals


def test_every_defence_has_a_kind_explanation() -> None:
    explained = content.section("listen.defences")
    assert set(DEFENCES) | {"other"} == set(explained)


def test_the_check_prompt_survives_an_empty_draft() -> None:
    reply = listen.FLOW.prompt(Turn("reflection_check", {}, Profile(True, "both")))
    assert content.section("listen.defences")["other"] in reply.text


# --- the feeling --------------------------------------------------------------------------------


def test_their_feeling_can_be_typed_in_their_own_words() -> None:
    chat = started()
    chat.text(SAID)
    chat.text(HEARD)
    chat.pick("other")
    assert chat.where == ("listen", "their_feeling_own")
    chat.text("They felt Humiliated.")
    assert chat.where == ("listen", "urge")
    assert chat.conversation.slots["their_feeling"] == "Humiliated"
    assert "It makes sense that they felt Humiliated." in chat.said


def test_a_feeling_can_be_typed_without_pressing_another_word() -> None:
    chat = started()
    chat.text(SAID)
    chat.text(HEARD)
    chat.text("furious")
    assert chat.where == ("listen", "urge")
    assert chat.conversation.slots["their_feeling"] == "furious"


@pytest.mark.parametrize(
    "thought", ["like I did not care about them at all", "one two three four five six seven"]
)
def test_a_thought_is_not_taken_as_the_feeling(thought: str) -> None:
    chat = started()
    chat.text(SAID)
    chat.text(HEARD)
    chat.pick("other")
    chat.text(thought)
    assert chat.where == ("listen", "their_feeling_own")
    assert content.text("listen.their_feeling", "hint") in chat.said


# --- review, edit, start over -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "answer", "shown"),
    [
        ("said", "You missed my birthday.", "What they said: You missed my birthday."),
        ("reflection", "you felt forgotten", "What I heard is that you felt forgotten."),
        ("urge", "to say sorry again", "The urge to defend: to say sorry again"),
    ],
)
def test_each_written_part_can_be_edited(part: str, answer: str, shown: str) -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick(part)
    assert chat.where == ("listen", part)
    chat.text(answer)
    assert chat.where == ("listen", "review")
    assert shown in chat.said
    assert "_editing" not in chat.conversation.slots


def test_the_feeling_can_be_edited_with_a_button() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("their_feeling")
    chat.pick("betrayed")
    assert chat.where == ("listen", "review")
    assert "It makes sense that you felt betrayed." in chat.said


def test_an_edited_reflection_is_checked_and_kept_back_at_the_review() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("reflection")
    chat.text("you felt alone, but you know I love you")
    assert chat.where == ("listen", "reflection_check")
    chat.pick("keep")
    assert chat.where == ("listen", "review")
    assert "_editing" not in chat.conversation.slots
    assert chat.conversation.slots["reflection"] == "you felt alone, but you know I love you"


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = at_review()
    before = dict(chat.conversation.slots)
    chat.pick("edit")
    chat.pick("review")
    assert chat.where == ("listen", "review")
    assert chat.conversation.slots == before


def test_start_over_forgets_everything() -> None:
    chat = at_review()
    chat.pick("restart")
    assert chat.where == ("listen", "said")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_back_undoes_the_last_answer() -> None:
    chat = started()
    chat.text(SAID)
    chat.text("you felt alone, but I was busy")
    assert chat.where == ("listen", "reflection_check")
    chat.pick("keep")
    chat.command("back")
    assert chat.where == ("listen", "reflection_check")
    assert chat.conversation.slots["draft"] == "you felt alone, but I was busy"
    assert "reflection" not in chat.conversation.slots
    chat.command("back")
    assert chat.where == ("listen", "reflection")
    assert chat.conversation.slots == {"said": SAID}


# --- what is not accepted ------------------------------------------------------------------------


def test_empty_text_gets_a_gentle_nudge() -> None:
    chat = started()
    chat.text("  ")
    assert chat.where == ("listen", "said")
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("state", ["review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(state: str) -> None:
    chat = at_review()
    if state == "edit":
        chat.pick("edit")
    chat.text("hmm, not sure")
    assert chat.where == ("listen", state)
    assert content.text(f"listen.{state}", "hint") in chat.said


def test_a_made_up_button_in_the_check_changes_nothing() -> None:
    chat = started()
    chat.text(SAID)
    chat.text("you are wrong about that")
    chat.send(Choice("listen.reflection_check.forgive"))
    assert chat.where == ("listen", "reflection_check")
    assert content.text("global", "pick_an_option") in chat.said


def test_it_is_an_exercise_for_two_so_not_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "hurt", track="individual", safety_checked_on="2026-03-01"))
    chat.command("listen")
    assert chat.conversation.idle
    assert content.text("safety.individual") in chat.said


# --- copy -------------------------------------------------------------------------------------


def test_menu_text_and_journal_labels() -> None:
    assert coach.command_menu()["listen"] == content.text("listen.command")
    labels = content.section("listen.journal")
    assert labels["kind"] == "Listening practice"
    assert set(labels["parts"]) == set(listen.SAVED)


@pytest.mark.model
@pytest.mark.parametrize(
    "mirror",
    [
        "you dont recognise me anymore",
        "you feel like you married a stranger and i lied to your face for months",
        "you think you cant trust anything i say",
    ],
)
def test_a_faithful_mirror_full_of_you_is_not_called_a_verdict(mirror: str) -> None:
    """With the shipped model on: it hears "you…" as blame, but a mirror is meant to be
    full of what they feel and what I did to them."""
    assert "judging" not in defences(mirror)
