"""/hurt: name what happened, how it landed and what it shook (the shared behaviour of written
steps is tested once, in test_written_steps.py)."""

from __future__ import annotations

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
