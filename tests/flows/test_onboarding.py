from __future__ import annotations

from flows.core import content
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


def test_declining_consent_keeps_nothing_and_leaves_the_door_open() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.pick("decline")
    assert not chat.profile.consented
    assert chat.conversation.idle
    assert "/start" in chat.said
    chat.command("hurt")
    assert chat.where == ("onboarding", "intro"), "a step that keeps words asks for consent first"


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
