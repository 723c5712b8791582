from __future__ import annotations

from flows.core import content
from flows.core.contract import CheckinRecord, JournalRecord
from tests.flows.driver import Chat


def test_start_explains_coaching_not_therapy_then_asks_consent() -> None:
    chat = Chat()
    chat.command("start")
    assert "not a therapist" in chat.said
    assert chat.where == ("onboarding", "intro")
    chat.pick("ok")
    assert chat.where == ("onboarding", "consent")
    assert not chat.profile.consented


def test_agreeing_and_choosing_a_role_is_remembered() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("broke")
    chat.pick("safe")
    assert chat.profile.consented
    assert chat.profile.role == "broke"
    assert content.text("onboarding.done", "broke") in chat.said
    assert "/help" in chat.said
    assert chat.where == ("moment", "offer")
    chat.pick("no")
    assert chat.conversation.idle


def declined() -> Chat:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.text("not now")
    assert not chat.profile.consented
    assert content.text("onboarding.declined") in chat.said
    assert chat.where == ("onboarding", "role"), "not now is respected, and the start goes on"
    chat.pick("hurt")
    chat.pick("safe")
    return chat


def test_declining_consent_keeps_nothing_and_leaves_every_step_open() -> None:
    chat = declined()
    assert chat.conversation.idle, "no daily moment is offered: it would have to be kept"
    chat.command("hurt")
    assert chat.where == ("hurt", "what"), "not sent back to /start"
    assert content.text("global", "unkept") in chat.said
    chat.text("he lied about the trip to Porto for months")
    for _ in range(6):  # the rest of the step, answered in a few words
        if chat.where[1] == "review":
            break
        chat.text("I felt small")
    chat.text("save")
    assert chat.conversation.idle
    assert not any(isinstance(r, JournalRecord) for r in chat.records), "nothing kept"
    assert content.text("global", "not_kept") in chat.said
    assert "he lied about the trip to Porto for months" in chat.said, "shown to copy instead"
    assert content.text("hurt.saved") not in chat.said, "never told it was saved"


def test_a_check_in_without_keeping_is_thanked_not_stored() -> None:
    chat = declined()
    chat.command("checkin")
    chat.pick("4")
    for _ in range(4):
        if chat.conversation.idle:
            break
        options = [o.key.rsplit(".", 1)[-1] for r in chat.last for o in r.options]
        chat.pick("skip" if "skip" in options else ("save" if "save" in options else options[0]))
    assert not any(isinstance(r, CheckinRecord) for r in chat.records)
    assert content.text("global", "not_kept_checkin") in chat.said


def test_what_has_to_be_kept_waits_for_a_yes_and_says_why() -> None:
    chat = declined()
    chat.command("rituals")
    assert chat.conversation.idle
    assert content.text("global", "needs_keeping") in chat.said


def test_a_step_asked_for_before_consent_follows_onboarding() -> None:
    chat = Chat()
    chat.command("reframe")
    assert chat.where == ("onboarding", "intro")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("both")
    assert chat.where == ("onboarding", "safe"), "safe to repair? comes before any exercise"
    chat.pick("safe")
    assert chat.where == ("moment", "offer")
    chat.pick("no")
    assert chat.where == ("reframe", "draft")


def test_each_role_has_its_own_suggestion() -> None:
    said = set()
    for role in ("hurt", "broke", "both"):
        chat = Chat()
        chat.command("start")
        chat.pick("ok")
        chat.pick("agree")
        chat.pick(role)
        chat.pick("safe")
        said.add(chat.said)
    assert len(said) == 3


def test_typing_a_label_or_number_counts_as_pressing_it() -> None:
    chat = Chat()
    chat.command("start")
    chat.text("1")
    assert chat.where == ("onboarding", "consent")
    chat.text("Yes, keep my words")
    assert chat.where == ("onboarding", "role")
    chat.text("a bit of both")
    assert chat.profile.role == "both"


def test_free_text_on_a_button_step_asks_kindly_and_stays() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.text("hmm, what do you mean?")
    assert chat.where == ("onboarding", "consent")
    assert content.text("global", "pick_an_option") in chat.said
    assert chat.last[-1].options, "the question is asked again with its options"


def test_a_first_message_is_met_with_a_welcome_not_a_menu() -> None:
    chat = Chat()
    chat.text("hi, my wife cheated")
    assert content.text("idle", "first_words") in chat.said
    assert chat.where == ("onboarding", "intro")
    chat.text("1")
    assert chat.where == ("onboarding", "consent"), "the option's number works when typed"


def test_words_between_steps_are_heard_before_the_menu() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text("she said tonight she might want to separate")
    assert len(chat.last) == 2 and not chat.last[0].options, "a word back first"
    assert chat.last[-1].options, "with the menu right under it"


def test_a_question_between_steps_is_answered_honestly() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text("should i just leave him? be honest")
    assert content.text("idle", "question") in chat.said
    chat.text("are you actually a person or just a bot")
    assert "not a person" in chat.said


def test_the_menu_between_steps_fits_the_one_who_broke_the_trust() -> None:
    chat = Chat()
    chat.onboard("broke")
    chat.text("hi")
    offered = [o.key.rsplit(".", 1)[-1] for r in chat.last for o in r.options]
    assert "own" in offered and "listen" in offered
    assert "hurt" not in offered


def test_words_at_the_welcome_are_met_and_the_start_goes_on() -> None:
    chat = Chat()
    chat.command("start")
    chat.text("hi. things at home are hard")
    assert content.text("onboarding.heard") in chat.said
    assert chat.where == ("onboarding", "consent")


def test_questions_between_steps_are_met_for_what_they_ask() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text("is it normal to want to punch him")
    assert content.text("idle", "question_urge") in chat.said
    chat.text("are you a bot?")
    assert content.text("idle", "bot") in chat.said
    chat.text("so whats the point of you then")
    assert content.text("idle", "question") in chat.said


def test_the_role_is_understood_in_people_s_own_words() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.text("im the one who got cheated on obviously")
    assert chat.profile.role == "hurt"
