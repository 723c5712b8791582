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
