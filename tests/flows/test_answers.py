"""A person types their answer instead of pressing a button: the number, the words, "yes"."""

from __future__ import annotations

import json

import pytest

from flows.core import content
from flows.core.contract import Option
from flows.language.answers import match
from tests.flows.driver import Chat

REVIEW = (
    Option("r.s.save", "Save it"),
    Option("r.s.edit", "Change a part"),
    Option("r.s.restart", "Start over"),
)
SAFE = (
    Option("h.a.safe", "I’m safe, go on"),
    Option("h.a.unsafe", "I’m not safe"),
    Option("h.a.support", "I’d like support"),
)
CONSENT = (Option("o.c.agree", "Yes, keep my words"), Option("o.c.decline", "Not now"))
ASKED = (
    Option("o.s.safe", "No, I feel safe with them"),
    Option("o.s.unsafe", "Yes, sometimes"),
    Option("o.s.skip", "I’d rather not say"),
)
SCORES = tuple(Option(f"c.s.{n}", str(n)) for n in range(1, 6))
BREATHE = (Option("t.b.breathe", "Breathe first"), Option("t.b.straight", "Go straight on"))
RITUALS = tuple(
    Option(f"r.p.{n}", label)
    for n, label in enumerate(("A check-in (21:00)", "A walk (07:30)", "A kind text (19:00)"), 1)
)


@pytest.mark.parametrize(
    ("options", "typed", "key"),
    [
        (REVIEW, "yes", "r.s.save"),
        (REVIEW, "Yep!", "r.s.save"),
        (REVIEW, "save", "r.s.save"),
        (REVIEW, "start over", "r.s.restart"),
        (REVIEW, "3", "r.s.restart"),
        (REVIEW, "change", "r.s.edit"),
        (SAFE, "im safe", "h.a.safe"),
        (SAFE, "i'm not safe", "h.a.unsafe"),
        (SAFE, "not safe", "h.a.unsafe"),
        (SAFE, "support", "h.a.support"),
        (SAFE, "safe", "h.a.safe"),  # all the words of "I'm safe", only some of "I'm not safe"
        (CONSENT, "keep", "o.c.agree"),
        (CONSENT, "ok", "o.c.agree"),
        (CONSENT, "nah", "o.c.decline"),
        (CONSENT, "not now", "o.c.decline"),
        (CONSENT, "yeah thats fine", "o.c.agree"),
        (CONSENT, "yes i guess", "o.c.agree"),
        (REVIEW, "keep", "r.s.save"),  # another word for the same thing
        (REVIEW, "yeah save", "r.s.save"),
        (ASKED, "no", "o.s.safe"),  # "No, I feel safe" says no in its own words; Skip does not
        (ASKED, "no hes not like that", "o.s.safe"),
        (ASKED, "yes i guess", "o.s.unsafe"),
        (SCORES, "two", "c.s.2"),
        (SCORES, "like a 1 honestly", "c.s.1"),
        (BREATHE, "go on", "t.b.straight"),
        (RITUALS, "the second one", "r.p.2"),
        (RITUALS, "last", "r.p.3"),
    ],
)
def test_a_short_typed_answer_chooses_the_one_option_it_means(
    options: tuple[Option, ...], typed: str, key: str
) -> None:
    assert match(options, typed) == key


@pytest.mark.parametrize(
    ("options", "typed"),
    [
        (SAFE, "yes"),  # "safe?" is never answered for someone by a loose word
        (SAFE, "no"),
        (REVIEW, "it"),
        (REVIEW, "keep going, he lied to me again last night"),
        (REVIEW, "7"),
        (CONSENT, "🙂"),
    ],
)
def test_anything_that_is_not_clearly_one_option_is_left_for_the_step(
    options: tuple[Option, ...], typed: str
) -> None:
    assert match(options, typed) is None


def test_typing_yes_at_a_review_saves_it_like_the_button() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    for _ in range(8):
        if chat.where[1] == "review":
            break
        chat.text("he lied about where he was all weekend and I felt so small")
    assert chat.where[1] == "review"
    chat.text("yes")
    assert chat.conversation.idle
    assert any(getattr(r, "kind", "") == "hurt" for r in chat.records)


def test_typed_words_nobody_can_match_get_a_nudge_that_fits_what_is_on_screen() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("settings")
    chat.text("banana")
    assert content.text("global", "pick_an_option") in chat.said
    chat.pick("zone")
    chat.text("qwxz")
    said = chat.said
    assert content.text("global", "pick_an_option") not in said


def test_an_option_typed_after_a_crisis_is_that_option_not_a_new_alarm() -> None:
    """After a crisis today every signal is believed; "continue" is an option's word, though,
    not something the person said about themselves, so a stray model score cannot reopen it."""
    from flows.language import classifier
    from tests.flows.stand_in import StandIn

    chat = Chat()
    chat.onboard("hurt")
    chat.text("i want to kill myself")
    classifier.install(StandIn({"continue": 0.95}, default=0.0))
    chat.pick("safe")
    assert chat.where == ("safety", "after")
    chat.text("continue")
    assert chat.conversation.flow != "safety", "the option was taken, not the crisis again"
    assert content.text("safety.resumed") in chat.said


def test_nah_its_true_at_write_it_again_keeps_the_words_not_a_new_version() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("reframe")
    chat.text("you always lie to me")
    chat.text("angry")
    chat.text("when you lied to my face like the selfish bastard you are")
    assert chat.where == ("reframe", "event_check")
    chat.text("nah its true")
    assert chat.where[1] != "event_check", "answered: keep it"
    assert "nah its true" not in json.dumps(chat.conversation.slots), "not saved as the moment"


def test_no_dont_save_that_at_a_review_leaves_with_nothing_kept() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    for _ in range(6):
        if chat.where[1] == "review":
            break
        chat.text("he lied about the weekend and I felt small")
    chat.text("no dont save that")
    assert chat.conversation.idle
    assert content.text("global", "cancel_done") in chat.said
    assert not chat.records


def test_erasing_in_a_hurry_is_understood() -> None:
    erase = (Option("e.c.erase", "Yes, erase everything"), Option("e.c.keep", "No, keep it"))
    assert match(erase, "yes delete it all") == "e.c.erase"
    assert match(erase, "delete it all") == "e.c.erase"


def test_hi_between_steps_is_greeted_not_comforted() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.text("hi")
    assert content.text("idle", "hello") in chat.said
    assert "hurt" not in chat.last[0].text


def test_a_role_told_in_a_whole_confession_is_understood_only_at_the_role_question() -> None:
    role = (
        Option("o.r.hurt", "I was hurt"),
        Option("o.r.broke", "I broke the trust"),
        Option("o.r.both", "A bit of both"),
    )
    told = (
        "i hid a gambling debt from my partner for 2 years and lied about it every time she asked"
    )
    assert match(role, told) == "o.r.broke"
    assert match(role, "i guess i broke it. its on me") == "o.r.broke"
    menu = (Option("idle..hurt", "Name what hurt"), Option("idle..journal", "My journal"))
    assert match(menu, "he lied to me for months") is None


@pytest.mark.parametrize(
    ("options", "typed", "key"),
    [
        (
            (Option("m.o.yes", "Yes, please"), Option("m.o.no", "Not now")),
            "idk maybe later",
            "m.o.no",
        ),
        ((Option("a.r.half", "Halfway (6 March 2027)"),), "halfway is good", "a.r.half"),
        (SCORES, "meh like a 2 maybe", "c.s.2"),
        (ASKED, "no shes not like that. im the problem here honestly", "o.s.safe"),
    ],
)
def test_everyday_answers_from_the_second_round_of_play(
    options: tuple[Option, ...], typed: str, key: str
) -> None:
    assert match(options, typed) == key
