"""/own: what I did, how it hurt them, what I will do differently — with excuses noticed."""

from __future__ import annotations

import pytest

from flows import coach
from flows.core import content
from flows.core.contract import Choice, JournalRecord, Profile
from flows.language.excuses import EXCUSES, excuses, normalise
from flows.steps import own
from tests.flows.driver import Chat

DID = "I lied to you about the money for a year"
IMPACT = "You stopped feeling safe in your own home"
CHANGE = "I will show you the statements each month without being asked"

EXCUSE_CASES: list[tuple[str, bool]] = [
    # with an excuse or deflection
    ("I'm sorry but you pushed me to it", True),
    ("I'm sorry but you pushed me", True),
    ("I cheated, but only because you were never around", True),
    ("You made me so angry that I said things I regret", True),
    ("It was just a few messages, nothing more", True),
    ("Anyone would have done the same in my position", True),
    ("I was drunk and it just happened", True),
    ("I was so stressed at work that I wasn't thinking", True),
    ("If you hadn't gone through my phone, none of this would have come out", True),
    ("It's not like I slept with her", True),
    ("I didn't mean to hurt you", True),
    ("I lied, but you would have overreacted", True),
    ("I'm sorry if you felt hurt", True),
    ("I'm sorry you feel that way", True),
    ("I had no choice, you kept pushing", True),
    ("You've done worse to me", True),
    ("What about the time you lied to me?", True),
    ("You're overreacting, it was one coffee", True),
    ("In my defence, I did tell you eventually", True),
    ("At least I told you the truth in the end", True),
    ("I was tired and she was there", True),
    ("Everyone makes mistakes", True),
    ("It meant nothing to me", True),
    ("I only did it because I felt ignored", True),
    ("I hid the money because you always criticise my spending", True),
    ("I wouldn't have done it if you'd paid me any attention", True),
    ("It was only once", True),
    ("I kept it from you, but you never asked", True),
    ("I'd had a few drinks and things got out of hand", True),
    ("it wasnt a big deal, we just talked", True),
    ("I didnt mean anything by it", True),
    ("I said it because you started the fight", True),
    ("I'm sorry, but I was under a lot of pressure", True),
    ("It's not as if you were perfect either", True),
    ("I was going through a hard time and I made a bad choice", True),
    ("But you also flirted with him, remember?", True),
    ("Honestly it was nothing, we only kissed once", True),
    ("I messed up, but you weren't exactly easy to live with", True),
    ("You know how hard work has been for me lately", True),
    ("I’m sorry, but I felt so alone in this marriage", True),
    ("She was just a friend from work", True),
    ("I was only trying to protect you from the truth", True),
    ("I'll stop lying if you stop checking my phone", True),
    ("I can only change if you forgive me first", True),
    # owning it, no excuse
    ("I'm sorry, but I can't undo it", False),
    ("I lied to you about where I was", False),
    ("I cheated and I hid it for months", False),
    ("You trusted me and I broke that", False),
    ("It must have felt like the ground went from under you", False),
    ("I'm sorry, but sorry isn't enough; I'll show you with what I do", False),
    ("I hurt you, and there is no excuse for it", False),
    ("I was wrong, and I chose to do it", False),
    ("I was dishonest with you for a long time", False),
    ("I'll tell you where I am without being asked", False),
    ("I want to answer your questions, even the hard ones", False),
    ("I know it will take time, but I'm not going anywhere", False),
    ("It was my choice and my responsibility", False),
    ("You probably felt humiliated when your friends knew before you", False),
    ("I made you doubt your own memory", False),
    ("I'm sorry. I broke your trust and I understand why you're angry", False),
    ("I hid messages from you and lied when you asked", False),
    ("You felt alone, and I wasn't there", False),
    ("I will stop drinking at parties and come home when I say", False),
    ("I want to understand how it felt for you, not just say sorry", False),
    ("Nothing I say can take it back, but I can change what I do", False),
    ("It hurt you more than I let myself see", False),
    ("I told myself it was just a friendship, and that was a lie", False),
    ("Not only did I lie, but I also made you feel foolish for asking", False),
    ("I did it, but that doesn't excuse it", False),
    ("I'm sorry, but you deserve the whole truth", False),
    ("I'll stop making excuses and just listen", False),
    ("I had nothing but excuses back then", False),
    ("I'm sorry I wasn't honest with you", False),
    ("If you want, I can show you my calendar each week", False),
    ("I kept secrets and that made you feel stupid for trusting me", False),
    ("I made the choice, nobody else did", False),
    ("You deserved the truth and I gave you lies", False),
    ("I said it was just a joke, and it wasn't", False),
    ("It was hard to hear, but you were right to ask", False),
    ("I broke a promise I made to you in front of everyone", False),
    ("You lost sleep and weight because of what I did", False),
    ("When I'm stressed I'll tell you instead of going quiet", False),
    ("I'm sorry that I hurt you", False),
    ("It shook your sense of being chosen", False),
    ("I'll be here if you ever want to talk, and if you change your mind", False),
    ("If you let me know what helps, I will do it", False),
]

# Written after the rules above were settled, and never used to tune them: a check that the
# detector generalises a little beyond the sentences it was shaped on.
HELD_OUT: list[tuple[str, bool]] = [
    ("I only texted her because you were always at your mother's", True),
    ("Look, it was one night and it didn't mean anything", True),
    ("I wasn't myself after losing the job", True),
    ("You pushed me away for months, so what did you expect", True),
    ("I was exhausted and I said something cruel", True),
    ("Most people would have done worse in my place", True),
    ("If you had been honest with me first, I wouldn't have lied", True),
    ("Sorry, but you read my messages without asking", True),
    ("It's not as though I spent all our savings", True),
    ("I never meant for you to find out like that", True),
    ("I apologise if my words upset you", True),
    ("We were just talking, nothing physical", True),
    ("I lied about the trip and let you believe it for weeks", False),
    ("You must have felt so alone at the hospital without me", False),
    ("I will call when I'm running late, every time", False),
    ("I'm sorry, but I understand if you need time away from me", False),
    ("I broke your trust, and that is on me", False),
    ("It made you question every late night since", False),
    ("I spent money we had agreed to save and hid the receipts", False),
    ("I let you think you were imagining things", False),
    ("From now on I'll answer your questions without getting defensive", False),
    ("I betrayed you, but I want to earn back your trust", False),
    ("You had every reason to be angry with me", False),
    ("I drank too much at the party and kissed someone; that was my choice", False),
]


def started(role: str = "broke") -> Chat:
    chat = Chat()
    chat.onboard(role)
    chat.command("own")
    assert chat.where == ("own", "did")
    return chat


def at_review() -> Chat:
    chat = started()
    chat.text(DID)
    chat.text(IMPACT)
    chat.text(CHANGE)
    assert chat.where == ("own", "review")
    return chat


# --- the excuse detector -------------------------------------------------------------------------


def test_the_labelled_set_is_big_and_balanced() -> None:
    assert len(EXCUSE_CASES) >= 40
    assert len({text for text, _ in EXCUSE_CASES + HELD_OUT}) == len(EXCUSE_CASES + HELD_OUT)
    assert sum(label for _, label in EXCUSE_CASES) >= 15
    assert sum(not label for _, label in EXCUSE_CASES) >= 15


@pytest.mark.parametrize("cases", [EXCUSE_CASES, HELD_OUT], ids=["labelled", "held_out"])
def test_excuse_detector_accuracy(cases: list[tuple[str, bool]]) -> None:
    wrong = [(text, label) for text, label in cases if bool(excuses(text)) != label]
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= 0.9, wrong


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I'm sorry, but I can't undo it", ()),
        ("I'm sorry but you pushed me", ("but", "you_made_me")),
        ("I'm sorry, but you deserve the whole truth", ()),
        ("I'm sorry, but I felt so alone", ("but",)),
        ("I did it, but that doesn't excuse it", ()),
        ("I kept it from you, but you never asked", ("but",)),
        ("Not only did I lie, but I also blamed you", ()),
        ("I had nothing but excuses back then", ()),
        ("I know it will take time, but I'm not going anywhere", ()),
    ],
)
def test_but_is_read_in_context(text: str, found: tuple[str, ...]) -> None:
    assert excuses(text) == found


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("I hid it, but you would have yelled", "but"),
        ("I did it only because I was lonely", "only_because"),
        ("You made me do it", "you_made_me"),
        ("it was just texting", "minimising"),
        ("anyone would have done the same", "anyone"),
        ("I was drunk", "state"),
        ("I was stressed", "state"),
        ("I was tired", "state"),
        ("if you hadn't nagged me", "if_you"),
        ("it's not like I left you", "not_like"),
        ("I didn't mean it", "didnt_mean"),
        ("I'm sorry if that upset you", "sorry_if"),
        ("What else was I supposed to do?", "no_choice"),
        ("You did it too", "turning"),
        ("you're being dramatic", "dismissing"),
        ("to be fair, I did come home", "defending"),
    ],
)
def test_each_signal_is_found(text: str, signal: str) -> None:
    assert signal in excuses(text)


def test_quoting_an_old_excuse_to_disown_it_is_not_an_excuse() -> None:
    assert excuses("I told myself it was just a friendship") == ()
    assert excuses("It was just a friendship") == ("minimising",)


def test_phone_spellings_are_read_alike() -> None:
    assert normalise("I didn’t mean it") == normalise("i didnt mean it") == "i did not mean it"
    assert excuses("its not like i left") == ("not_like",)


def test_every_excuse_has_a_kind_explanation() -> None:
    explained = content.section("own.excuses")
    assert set(EXCUSES) | {"other"} == set(explained)


def test_every_excuse_is_exercised_by_the_labelled_set() -> None:
    found = {name for text, _ in EXCUSE_CASES for name in excuses(text)}
    assert found == set(EXCUSES)


# --- the path ------------------------------------------------------------------------------------


def test_owning_it_saves_all_three_parts() -> None:
    chat = at_review()
    for part in (DID, IMPACT, CHANGE):
        assert part in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert chat.records == [
        JournalRecord("own", (("did", DID), ("impact", IMPACT), ("will_change", CHANGE)))
    ]
    assert content.text("own.saved") in chat.said
    assert "forgive" in chat.said and "theirs to decide" in chat.said


@pytest.mark.parametrize("role", ["broke", "both"])
def test_no_note_for_those_who_broke_the_trust(role: str) -> None:
    chat = started(role)
    assert content.text("own.for_broke") not in chat.said


def test_someone_who_was_hurt_is_told_who_the_step_is_for_and_may_go_on() -> None:
    chat = started("hurt")
    assert content.text("own.for_broke") in chat.said
    assert content.text("own.did") in chat.said
    chat.text(DID)
    assert chat.where == ("own", "impact")


# --- excuses noticed in each part ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "state", "text", "signal"),
    [
        ((), "did", "I lied about the money, but only because you would have been angry", "but"),
        ((DID,), "impact", "It was not that bad, you were upset for a day", "not_like"),
        ((DID, IMPACT), "will_change", "I'll try if you stop checking my phone", "if_you"),
    ],
)
def test_an_excuse_is_named_kindly_and_can_be_rewritten(
    before: tuple[str, ...], state: str, text: str, signal: str
) -> None:
    chat = started()
    for answer in before:
        chat.text(answer)
    assert chat.where == ("own", state)
    chat.text(text)
    assert chat.where == ("own", f"{state}_check")
    assert text in chat.said
    assert content.section("own.excuses")[signal] in chat.said
    chat.pick("rewrite")
    assert chat.where == ("own", state)
    assert "draft" not in chat.conversation.slots
    assert state not in chat.conversation.slots


def test_an_excuse_can_be_kept_as_it_is() -> None:
    chat = started()
    chat.text("I was drunk and I kissed someone else")
    assert chat.where == ("own", "did_check")
    chat.pick("keep")
    assert chat.where == ("own", "impact")
    assert chat.conversation.slots == {"did": "I was drunk and I kissed someone else"}


def test_typing_in_the_check_is_a_new_version_checked_again() -> None:
    chat = started()
    chat.text("It was just a few texts")
    chat.text("I didn't mean to, it just happened")
    assert chat.where == ("own", "did_check")
    assert chat.conversation.slots["draft"] == "I didn't mean to, it just happened"
    assert content.section("own.excuses")["didnt_mean"] in chat.said
    chat.text(DID)
    assert chat.where == ("own", "impact")
    assert chat.conversation.slots == {"did": DID}


# --- review, edit, start over -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "answer"),
    [
        ("did", "I hid a second phone"),
        ("impact", "You doubted everything I said"),
        ("will_change", "I will answer every question you ask"),
    ],
)
def test_each_part_can_be_edited(part: str, answer: str) -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick(part)
    assert chat.where == ("own", part)
    chat.text(answer)
    assert chat.where == ("own", "review")
    assert answer in chat.said
    assert chat.conversation.slots[part] == answer
    assert "_editing" not in chat.conversation.slots


def test_an_edit_with_an_excuse_is_checked_then_comes_back_to_the_review() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("impact")
    chat.text("Sorry you feel that way")
    assert chat.where == ("own", "impact_check")
    chat.pick("keep")
    assert chat.where == ("own", "review")
    assert chat.conversation.slots["impact"] == "Sorry you feel that way"
    assert "_editing" not in chat.conversation.slots
    assert "draft" not in chat.conversation.slots


def test_leaving_the_edit_menu_changes_nothing() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("review")
    assert chat.where == ("own", "review")
    assert chat.conversation.slots == {"did": DID, "impact": IMPACT, "will_change": CHANGE}


def test_start_over_forgets_everything() -> None:
    chat = at_review()
    chat.pick("restart")
    assert chat.where == ("own", "did")
    assert chat.conversation.slots == {}
    assert chat.records == []


def test_back_undoes_the_last_answer() -> None:
    chat = started()
    chat.text(DID)
    chat.text("It meant nothing, you know that")
    chat.pick("keep")
    assert chat.where == ("own", "will_change")
    chat.command("back")
    assert chat.where == ("own", "impact_check")
    assert chat.conversation.slots == {"did": DID, "draft": "It meant nothing, you know that"}
    chat.command("back")
    assert chat.where == ("own", "impact")
    chat.command("back")
    assert chat.where == ("own", "did")
    assert chat.conversation.slots == {}


# --- what is not accepted ------------------------------------------------------------------------


def test_empty_text_gets_a_gentle_nudge() -> None:
    chat = started()
    chat.text("")
    assert chat.where == ("own", "did")
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("state", ["review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(state: str) -> None:
    chat = at_review()
    if state == "edit":
        chat.pick("edit")
    chat.text("maybe later")
    assert chat.where == ("own", state)
    assert content.text(f"own.{state}", "hint") in chat.said


def test_a_made_up_button_changes_nothing() -> None:
    chat = started()
    chat.text("It was only once")
    chat.send(Choice("own.did_check.delete"))
    assert chat.where == ("own", "did_check")
    assert content.text("global", "pick_an_option") in chat.said


def test_it_needs_no_partner_ready_but_is_closed_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "broke", paired=True, safety_checked_on="2026-03-01"))
    chat.command("own")
    assert chat.where == ("own", "did"), "done alone: nobody's /ready is waited for"
    chat = Chat(Profile(True, "broke", track="individual", safety_checked_on="2026-03-01"))
    chat.command("own")
    assert chat.conversation.idle
    assert content.text("safety.individual") in chat.said


# --- copy -------------------------------------------------------------------------------------


def test_menu_text_and_journal_labels() -> None:
    assert coach.command_menu()["own"] == content.text("own.command")
    labels = content.section("own.journal")
    assert labels["kind"] == "Owning it"
    assert set(labels["parts"]) == set(own.PARTS)


# --- what will change: one gentle follow-up to a vague or sweeping answer ---------------------


def at_will_change() -> Chat:
    chat = started()
    chat.text(DID)
    chat.text(IMPACT)
    assert chat.where == ("own", "will_change")
    return chat


def test_a_big_promise_right_after_the_warning_is_asked_to_shrink_once() -> None:
    chat = at_will_change()
    chat.text("I promise I will be perfect from now on")
    assert chat.where == ("own", "will_change_again")
    assert chat.said == content.text("own.will_change_again", "sweeping")
    assert "this week" in chat.said
    chat.text("be better")  # a second answer is kept, even a vague one
    assert chat.where == ("own", "review")
    assert chat.conversation.slots["will_change"] == "be better"


def test_a_vague_answer_is_asked_for_something_they_could_see() -> None:
    chat = at_will_change()
    chat.text("try harder")
    assert chat.said == content.text("own.will_change_again", "vague")
    chat.text(CHANGE)
    assert chat.where == ("own", "review")
    assert chat.records == []


def test_the_follow_up_answer_is_still_read_for_excuses() -> None:
    chat = at_will_change()
    chat.text("never again")
    chat.text("I'll text you when I'm late, but only because you check anyway")
    assert chat.where == ("own", "will_change_again_check")
    chat.pick("keep")
    assert chat.where == ("own", "review")


def test_the_follow_up_while_editing_comes_back_to_the_review() -> None:
    chat = at_review()
    chat.pick("edit")
    chat.pick("will_change")
    chat.text("idk")
    assert chat.where == ("own", "will_change_again")
    chat.text("I'll show you my phone when you ask")
    assert chat.where == ("own", "review")
    assert "_editing" not in chat.conversation.slots


def test_an_excuse_is_named_first_and_the_promise_is_not_asked_about_as_well() -> None:
    chat = at_will_change()
    chat.text("I'll never do it again, but you pushed me away")
    assert chat.where == ("own", "will_change_check")
    chat.pick("keep")
    assert chat.where == ("own", "review")
