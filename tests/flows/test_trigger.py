"""/trigger: pause, name it calmly, link it to the old pain, say what you need, maybe ask."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Choice, JournalRecord, Profile
from flows.language.urges import is_urge
from flows.steps import trigger
from tests.flows import blind
from tests.flows.driver import Chat

HAPPENED = "He went quiet at dinner and checked his phone."
PAIN = "When the messages were hidden last year"
ALONE = Profile(True, "hurt", track="individual", safety_checked_on="2026-03-01")


def started(profile: Profile | None = None) -> Chat:
    chat = Chat(profile)
    if profile is None:
        chat.onboard("hurt")
    chat.command("trigger")
    assert chat.where == ("trigger", "pause")
    return chat


def at_review(ask: str = "reassure") -> Chat:
    chat = started()
    chat.pick("straight")
    chat.text(HAPPENED)
    chat.text(PAIN)
    chat.pick("reassure")
    chat.pick(ask)
    assert chat.where == ("trigger", "review")
    return chat


def saved(chat: Chat) -> dict[str, str]:
    assert len(chat.records) == 1
    record = chat.records[0]
    assert isinstance(record, JournalRecord) and record.kind == "trigger"
    return dict(record.parts)


FULL = (
    "I got triggered when you went quiet at dinner and checked your phone. "
    "It reminded me of when the messages were hidden last year. "
    "Right now I need to hear that we’re okay. Could you reassure me a little?"
)


# --- the pause ----------------------------------------------------------------------------------


def test_a_pause_to_breathe_comes_first_if_wanted() -> None:
    chat = started()
    chat.pick("breathe")
    assert chat.where == ("trigger", "breathe")
    assert "Breathe in" in chat.said
    chat.pick("ready")
    assert chat.where == ("trigger", "happened")


def test_going_straight_on_skips_the_pause() -> None:
    chat = started()
    chat.pick("straight")
    assert chat.where == ("trigger", "happened")


@pytest.mark.parametrize("state", ["pause", "breathe"])
def test_typing_instead_of_choosing_shows_the_hint(state: str) -> None:
    chat = started()
    if state == "breathe":
        chat.pick("breathe")
    chat.text("I just feel awful")
    assert chat.where == ("trigger", state)
    assert content.text(f"trigger.{state}", "hint") in chat.said


# --- the path ------------------------------------------------------------------------------------


def test_the_message_is_composed_from_their_words_and_saved() -> None:
    chat = at_review()
    assert f"“{FULL}”" in chat.said
    assert "no need to send it" in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert saved(chat) == {
        "happened": "he went quiet at dinner and checked his phone",
        "old_pain": "when the messages were hidden last year",
        "need_now": "to hear that we’re okay",
        "message": FULL,
    }
    assert chat.last[-2].text == content.text("trigger.saved")
    assert chat.last[-1].text == FULL, "the message alone, easy to copy"


def test_asking_for_space() -> None:
    chat = at_review("space")
    assert content.text("trigger.message", "space") in chat.said
    assert content.text("trigger.message", "reassure") not in chat.said


def test_asking_for_nothing_leaves_the_question_out() -> None:
    chat = at_review("neither")
    chat.pick("save")
    assert "Could you" not in saved(chat)["message"]
    assert saved(chat)["message"].endswith("Right now I need to hear that we’re okay.")


def test_the_old_pain_can_be_left_out() -> None:
    chat = started()
    chat.pick("straight")
    chat.text(HAPPENED)
    chat.pick("skip")
    assert chat.where == ("trigger", "need_now")
    chat.pick("quiet")
    chat.pick("space")
    chat.pick("save")
    assert saved(chat)["message"] == (
        "I got triggered when you went quiet at dinner and checked your phone. "
        "Right now I need a little quiet time. "
        "Could you give me some space for a while? I’ll come back to you when I feel steadier."
    )
    assert "old_pain" not in saved(chat)


def test_their_own_need_and_lead_ins_are_tidied_into_the_message() -> None:
    chat = started()
    chat.pick("straight")
    chat.text("I got triggered when You came home two hours late!")
    chat.text("It reminded me of the nights I waited up alone.")
    chat.pick("other")
    assert chat.where == ("trigger", "need_now_own")
    chat.text("I need to know where you were.")
    assert chat.where == ("trigger", "ask")
    chat.pick("reassure")
    message = trigger.message(chat.conversation.slots)
    assert message == (
        "I got triggered when you came home two hours late. "
        "It reminded me of the nights I waited up alone. "
        "Right now I need to know where you were. Could you reassure me a little?"
    )


def test_a_need_can_be_typed_without_pressing_something_else() -> None:
    chat = started()
    chat.pick("straight")
    chat.text(HAPPENED)
    chat.text(PAIN)
    chat.text("a walk on my own")
    assert chat.where == ("trigger", "ask")
    assert chat.conversation.slots["need_now"] == "a walk on my own"


def test_the_message_reads_naturally() -> None:
    for ask in ("reassure", "space", "neither", ""):
        text = trigger.message(
            {"happened": "x happened", "old_pain": "y", "need_now": "z", "ask": ask}
        )
        assert "  " not in text and " ." not in text and ".." not in text
        for sentence in re.split(r"(?<=[.?])\s+", text):
            assert sentence[0].isupper() and sentence[-1] in ".?", sentence
    assert trigger.message({}) == ""
    assert trigger.message({"happened": "I wanted to scream"}) == "", "an urge alone: nothing"


# --- a message to the partner: to them, and without the urge ---------------------------------

ISSUE = "He was on his phone at dinner, smiling at a message, and I wanted to grab it and smash it."


def urge_lines(who: str) -> list[str]:
    return list(content.section("trigger.urge")[who])


def test_the_draft_from_the_issue_speaks_to_the_partner_and_leaves_the_urge_out() -> None:
    chat = started()
    chat.pick("straight")
    chat.text(ISSUE)
    assert [line for line in urge_lines("partner") if line in chat.said], "met kindly"
    chat.text("the weekend I found the messages")
    chat.pick("reassure")
    chat.pick("reassure")
    draft = (
        "I got triggered when you were on your phone at dinner, smiling at a message. "
        "It reminded me of the weekend I found the messages. "
        "Right now I need to hear that we’re okay. Could you reassure me a little?"
    )
    assert f"“{draft}”" in chat.said
    assert content.text("trigger.review", "left_out") in chat.said
    chat.pick("save")
    notes = saved(chat)
    assert notes["message"] == draft
    for word in ("smash", "grab", " he ", " his ", "He "):
        assert word not in notes["message"]
    assert "I wanted to grab it and smash it" in notes["happened"], "kept in their own notes"


@pytest.mark.parametrize(
    ("happened", "in_message"),
    [
        ("she came home late and her phone was on silent", "you came home late and your phone"),
        ("my husband checks his phone every time it buzzes", "you check your phone every time"),
        ("He's been texting someone at night", "you’ve been texting someone at night"),
        ("I saw him delete a message", "I saw you delete a message"),
    ],
)
def test_words_about_the_partner_become_words_to_them(happened: str, in_message: str) -> None:
    chat = started()
    chat.pick("straight")
    chat.text(happened)
    chat.pick("skip")
    chat.pick("talk")
    chat.pick("neither")
    assert in_message.replace("’", "'") in chat.said.replace("’", "'")


def test_the_moment_itself_says_who_the_partner_is_when_the_old_pain_names_someone_else() -> None:
    chat = started()
    chat.pick("straight")
    chat.text("he was on his phone at dinner")
    chat.text("the night I found out about her")
    chat.pick("talk")
    chat.pick("neither")
    assert (
        "I got triggered when you were on your phone at dinner. "
        "It reminded me of the night I found out about her."
    ) in chat.said


def test_they_can_keep_he_or_she_as_they_wrote_it_and_change_their_mind() -> None:
    chat = at_review()
    turned = content.section("trigger.review")["turned"].format(word="he")
    assert turned in chat.said, "the review says what was changed"
    chat.pick("as_written")
    assert chat.where == ("trigger", "review")
    assert "I got triggered when he went quiet at dinner and checked his phone." in chat.said
    assert turned not in chat.said
    chat.pick("to_you")
    assert "I got triggered when you went quiet at dinner and checked your phone." in chat.said
    chat.pick("as_written")
    chat.pick("save")
    assert saved(chat)["message"].startswith("I got triggered when he went quiet")


def test_where_it_is_unclear_who_is_who_the_words_stay_and_the_review_says_so() -> None:
    chat = started()
    chat.pick("straight")
    chat.text("I saw her name pop up on his phone")
    chat.pick("skip")
    chat.pick("talk")
    chat.pick("neither")
    assert "I got triggered when I saw her name pop up on his phone." in chat.said
    assert content.text("trigger.review", "unsure") in chat.said


def test_a_plain_message_gets_no_extra_notes() -> None:
    chat = at_review()
    assert content.text("trigger.review", "left_out") not in chat.said
    assert content.text("trigger.review", "unsure") not in chat.said


def test_an_urge_alone_is_met_and_the_message_keeps_the_rest() -> None:
    chat = started()
    chat.pick("straight")
    chat.text("I nearly drove over to her place")
    assert [line for line in urge_lines("partner") if line in chat.said]
    chat.text(PAIN)
    chat.pick("quiet")
    chat.pick("neither")
    chat.pick("save")
    assert saved(chat)["message"] == (
        "It reminded me of when the messages were hidden last year. "
        "Right now I need a little quiet time."
    )


def test_on_the_individual_track_the_note_keeps_every_word_and_the_urge_is_met() -> None:
    chat = started(ALONE)
    chat.pick("straight")
    chat.text(ISSUE)
    assert [line for line in urge_lines("self") if line in chat.said]
    assert not [line for line in urge_lines("partner") if line in chat.said]
    chat.text(PAIN)
    chat.pick("talk")
    chat.pick("save")
    assert "and I wanted to grab it and smash it" in saved(chat)["message"], "their own note"
    assert "he was on his phone" in saved(chat)["message"]


@pytest.mark.parametrize(
    "sentence",
    [
        "I wanted to grab it and smash it",
        "i felt like screaming",
        "I almost checked his phone while he slept",
        "part of me wanted to drive over there",
        "it took everything in me not to throw it",
        "wanted to call her and tell her everything",
        "im about to go through his messages",
        "I checked his phone while he slept",
        "i yelled at him in front of the kids",
    ],
)
def test_an_urge_is_told_from_a_feeling(sentence: str) -> None:
    assert is_urge(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I wanted to cry",
        "I wanted to throw up",
        "I wanted to know where he was",
        "I wanted him to hold me",
        "he wanted to leave the party early",
        "I felt like I was going to explode",
        "I saw her name on his phone",
        "I texted him to ask when he'd be home",
        "I left work early and went home",
        "I shook all over",
        "my hands were shaking",
    ],
)
def test_a_feeling_or_a_need_is_not_an_urge(sentence: str) -> None:
    assert not is_urge(sentence)


# --- where a partner is not part of this -------------------------------------------------------


def test_on_the_individual_track_nothing_is_asked_of_the_partner() -> None:
    chat = started(ALONE)
    chat.pick("straight")
    chat.text(HAPPENED)
    chat.text(PAIN)
    chat.pick("talk")
    assert chat.where == ("trigger", "review"), "no question about asking the partner"
    assert content.text("trigger.review_self").split("\n")[0] in chat.said
    assert "send it to your partner" not in chat.said
    chat.pick("edit")
    keys = [o.key for r in chat.last for o in r.options]
    assert "trigger.edit.ask" not in keys
    chat.send(Choice("trigger.edit.ask"))
    assert chat.where == ("trigger", "edit")
    chat.pick("review")
    chat.pick("save")
    assert "Could you" not in saved(chat)["message"]
    assert chat.last[-1].text == content.text("trigger.saved_self")


def test_who_the_message_is_for() -> None:
    assert trigger.for_two(Profile(True, "hurt"))
    assert not trigger.for_two(Profile(True, "hurt", track="individual"))
    assert not trigger.for_two(Profile(True, "hurt", paused="self_harm"))


def test_it_is_open_on_the_individual_track() -> None:
    chat = started(ALONE)
    assert content.text("safety.individual") not in chat.said


# --- review, edit, start over -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "answer", "shown"),
    [
        ("happened", "the phone buzzed at midnight", "I got triggered when the phone buzzed at"),
        ("old_pain", "the lies about the trip", "It reminded me of the lies about the trip."),
        ("need_now", "a slow walk together", "Right now I need a slow walk together."),
    ],
)
def test_each_written_part_can_be_edited(part: str, answer: str, shown: str) -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick(part)
    assert chat.where == ("trigger", part)
    chat.text(answer)
    assert chat.where == ("trigger", "review")
    assert shown in chat.said
    assert "_editing" not in chat.conversation.slots


def test_the_need_and_the_ask_can_be_changed_with_buttons() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("need_now")
    chat.pick("hug")
    assert chat.where == ("trigger", "review")
    assert "Right now I need a hug." in chat.said
    chat.pick("edit")
    chat.pick("ask")
    assert chat.where == ("trigger", "ask")
    chat.pick("space")
    assert chat.where == ("trigger", "review")
    assert content.text("trigger.message", "space") in chat.said


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = at_review()
    before = dict(chat.conversation.slots)
    chat.pick("edit")
    chat.pick("review")
    assert chat.conversation.slots == before


def test_start_over_goes_back_to_naming_it() -> None:
    chat = at_review()
    chat.pick("restart")
    assert chat.where == ("trigger", "happened")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_back_undoes_the_last_answer() -> None:
    chat = started()
    chat.pick("breathe")
    chat.pick("ready")
    chat.text(HAPPENED)
    assert chat.where == ("trigger", "old_pain")
    chat.command("back")
    assert chat.where == ("trigger", "happened")
    assert chat.conversation.slots == {}
    chat.command("back")
    assert chat.where == ("trigger", "breathe")


# --- what is not accepted ------------------------------------------------------------------------


def test_empty_text_gets_a_gentle_nudge() -> None:
    chat = started()
    chat.pick("straight")
    chat.text(" ")
    assert chat.where == ("trigger", "happened")
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("state", ["ask", "review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(state: str) -> None:
    chat = at_review()
    if state == "ask":
        chat.pick("edit")
        chat.pick("ask")
    elif state == "edit":
        chat.pick("edit")
    chat.text("not sure")
    assert chat.where == ("trigger", state)
    assert content.text(f"trigger.{state}", "hint") in chat.said


# --- copy -------------------------------------------------------------------------------------


def test_menu_text_and_journal_labels() -> None:
    assert coach.command_menu()["trigger"] == content.text("trigger.command")
    labels = content.section("trigger.journal")
    assert labels["kind"] == "Trigger, named calmly"
    assert set(labels["parts"]) == set(trigger.SAVED)


# --- the blind batch: sentences written by people who saw neither the rule nor the step -------

BATCH = Path(__file__).resolve().parents[1] / "data" / "urges" / "blind-1.tsv"
# Measured once before the gaps it showed were closed: accuracy 0.774 (urge recall 0.553, no
# false alarm); after: 1.000. It taught that acts done in the heat of it ("I yelled at him",
# "I checked his location like 5 times") are urges too. The floors sit under that.
MIN_ACCURACY = 0.95
MIN_URGE_RECALL = 0.93
MIN_FEELING_RECALL = 0.95


def test_the_blind_batch_of_urges_holds_its_floors() -> None:
    rows = blind.rows(BATCH.parent, 2)
    assert len(rows) >= 90 and {label for label, _ in rows} == {"urge", "feeling"}
    wrong = [f"{label}: {text}" for label, text in rows if (label == "urge") != is_urge(text)]
    missed = [w for w in wrong if w.startswith("urge")]
    alarms = [w for w in wrong if w.startswith("feeling")]
    urges = sum(label == "urge" for label, _ in rows)
    assert 1 - len(wrong) / len(rows) >= MIN_ACCURACY, "\n".join(wrong)
    assert 1 - len(missed) / urges >= MIN_URGE_RECALL, "\n".join(missed)
    assert 1 - len(alarms) / (len(rows) - urges) >= MIN_FEELING_RECALL, "\n".join(alarms)


def test_an_urge_or_an_unsure_start_in_the_need_stays_out_of_the_message() -> None:
    from flows.steps.trigger import message

    sent = message(
        {
            "happened": "he came home late",
            "need_now": "honestly i want to grab his phone and read everything",
        }
    )
    assert "grab" not in sent and "read everything" not in sent
    sent = message({"happened": "she went quiet", "need_now": "idk. for her not to worry"})
    assert "idk" not in sent
    assert "for you not to worry" in sent


def test_a_threat_as_the_need_never_reaches_the_partner_and_a_named_other_stays_he() -> None:
    from flows.steps.trigger import message

    sent = message(
        {
            "happened": "i told you. drove past daves house. his car was there",
            "old_pain": "all the times she said she was at her sisters",
            "need_now": "honestly to go round and smash his windscreen in",
            "ask": "neither",
        }
    )
    assert "smash" not in sent and "windscreen" not in sent
    assert "drove past daves house" in sent, "what happened stays, even when it was an act"
    assert "your car" not in sent, "Dave's car is not the partner's"


def test_one_who_broke_the_trust_keeps_a_trigger_as_notes_not_a_request_to_the_partner() -> None:
    chat = Chat(Profile(True, "broke", safety_checked_on="2026-12-01"))
    chat.command("trigger")
    chat.pick("straight")
    chat.text("a betting ad came on and she looked at me and left the room")
    chat.pick("skip")
    chat.pick("talk")
    assert chat.where != ("trigger", "ask"), "not asked to ask the hurt partner for something"
    assert "reassure me" not in chat.said.casefold()
