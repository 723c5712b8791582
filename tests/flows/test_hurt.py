"""/hurt: name what happened, how it landed and what it shook (the shared behaviour of written
steps is tested once, in test_written_steps.py)."""

from __future__ import annotations

import re

from flows.core import content
from flows.core.contract import Profile
from tests.flows.driver import Chat


def started() -> Chat:
    chat = Chat()
    chat.onboard("hurt")
    chat.command("hurt")
    assert chat.where == ("hurt", "what")
    return chat


def test_the_step_ends_by_lifting_any_pressure_to_forgive() -> None:
    chat = started()
    chat.text("She hid a second phone and lied about it")
    chat.text("Small. Like I did not matter.")
    chat.text("Feeling safe at home")
    assert "She hid a second phone and lied about it" in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert "forgive" in chat.said


def test_open_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "hurt", track="individual", safety_checked_on="2026-03-01"))
    chat.command("hurt")
    assert chat.where == ("hurt", "what")


# --- what they wrote is met before the next question --------------------------------------------

AFFAIR = "He slept with his coworker for six months and I only found out last week from her husband"


def _runs(text: str, n: int = 5) -> set[str]:
    """Every run of `n` words in `text`: a reply holding one is parroting."""
    words = text.casefold().replace(".", "").split()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_how_long_it_went_on_is_met_before_the_next_question() -> None:
    chat = started()
    chat.text(AFFAIR)
    assert chat.where == ("hurt", "landed")
    said_back, question = (r.text for r in chat.last)
    assert "Six months" in said_back
    assert question == content.text("hurt.landed")
    assert not any(run in said_back.casefold() for run in _runs(AFFAIR)), "no parroting"
    assert "I can hear how much this matters" not in chat.said


def test_their_own_feeling_words_are_met() -> None:
    chat = started()
    chat.text(AFFAIR)
    chat.text("Betrayed and stupid. Like everyone knew but me.")
    assert chat.where == ("hurt", "broke")
    assert chat.last[0].text.startswith("Betrayed and stupid")
    assert chat.last[-1].text == content.text("hurt.broke")


def test_the_kind_of_hurt_is_met_when_no_length_is_given() -> None:
    chat = started()
    chat.text("she hid 20k of credit card debt from me")
    assert "Money" in chat.last[0].text or "money" in chat.last[0].text


def test_two_different_hurts_get_different_openings() -> None:
    openings = set()
    for what in (
        AFFAIR,
        "she lied about where she was every weekend",
        "he gambled away our savings",
        "my wife had an emotional affair with her ex",
    ):
        chat = started()
        chat.text(what)
        openings.add(chat.last[0].text)
    assert len(openings) == 4


def test_a_skipped_feeling_is_not_met_with_words() -> None:
    chat = started()
    chat.text(AFFAIR)
    chat.pick("skip")
    assert chat.where == ("hurt", "broke")
    assert [r.text for r in chat.last] == [content.text("hurt.broke")]


def test_someone_telling_what_they_did_is_not_comforted_as_if_it_was_done_to_them() -> None:
    chat = Chat()
    chat.onboard("both")
    chat.command("hurt")
    chat.text("i lied to him about where i was for months and now he doesnt trust me")
    back = chat.last[0].text
    section = content.section("heard")
    for group in ("lies", "affair", "emotional", "money", "count", "span"):
        for line in section.get(group, []):
            fixed = max(re.split(r"\{\w+\}", str(line)), key=len).strip(" .,")
            assert not fixed or fixed not in back, f"said back as a hurt done to them: {back}"
