"""/grow: not back to normal but forward: what I learned, the next chapter, one small step (the
shared behaviour of written steps is tested once, in test_written_steps.py)."""

from __future__ import annotations

from flows.core import content
from flows.core.contract import Profile
from tests.flows.driver import Chat


def test_no_pressure_to_return_to_how_things_were() -> None:
    chat = Chat()
    chat.onboard("both")
    chat.command("grow")
    assert "Going back to exactly how things were" in chat.said


def test_closed_on_the_individual_track() -> None:
    chat = Chat(Profile(True, "both", track="individual", safety_checked_on="2026-03-01"))
    chat.command("grow")
    assert chat.conversation.idle, "what each of you learned assumes a couple working on it"
    assert content.text("safety.individual") in chat.said


def test_its_journal_label() -> None:
    assert content.section("grow.journal")["kind"] == "Growing forward"
