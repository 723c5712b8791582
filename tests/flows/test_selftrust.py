"""/selftrust: what my instincts said, a line I held, one small act of trusting myself (the
shared behaviour of written steps is tested once, in test_written_steps.py)."""

from __future__ import annotations

from flows.core import content
from flows.core.contract import Profile
from tests.flows.driver import Chat


def test_doubting_oneself_is_named_as_natural_not_as_a_flaw() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("selftrust")
    assert "natural" in chat.said


def test_open_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "hurt", track="individual", safety_checked_on="2026-03-01"))
    chat.command("selftrust")
    assert chat.where == ("selftrust", "instinct")


def test_its_journal_label() -> None:
    assert content.section("selftrust.journal")["kind"] == "Trusting myself"


# --- one small act: a vague or sweeping answer is asked about once ------------------------------


def at_small_act() -> Chat:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("selftrust")
    chat.text("That something was off when he started working late every night")
    chat.pick("skip")
    assert chat.where == ("selftrust", "small_act")
    return chat


def test_idk_is_asked_about_once_with_an_example_then_taken_as_it_is() -> None:
    chat = at_small_act()
    chat.text("idk")
    assert chat.where == ("selftrust", "small_act_again")
    assert chat.said == content.text("selftrust.small_act_again", "vague")
    assert "For example" in chat.said
    chat.text("idk really")  # a second vague answer is kept: no nagging
    assert chat.where == ("selftrust", "review")
    assert "idk really" in chat.said


def test_a_sweeping_promise_is_asked_to_shrink_to_one_thing_this_week() -> None:
    chat = at_small_act()
    chat.text("I'll never doubt myself again")
    assert chat.said == content.text("selftrust.small_act_again", "sweeping")
    assert "this week" in chat.said
    chat.text("Say no to the Friday drinks if I don't want to go")
    assert chat.where == ("selftrust", "review")
    assert (
        chat.conversation.slots["small_act"] == "Say no to the Friday drinks if I don't want to go"
    )


def test_a_small_concrete_act_goes_straight_on() -> None:
    chat = at_small_act()
    chat.text("write down what my gut says before I decide anything this week")
    assert chat.where == ("selftrust", "review")
