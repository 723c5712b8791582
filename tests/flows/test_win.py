from __future__ import annotations

from flows.core import content
from flows.core.contract import JournalRecord
from tests.flows.driver import Chat


def test_a_win_in_one_tap() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("win")
    chat.pick("nofight")
    assert chat.records == [JournalRecord("win", (("win", "A fight that didn’t happen"),))]
    assert content.text("win.saved") in chat.said
    assert chat.conversation.idle


def test_a_win_in_a_few_words() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("win")
    chat.text("  We cooked together without checking phones  ")
    assert chat.records == [
        JournalRecord("win", (("win", "We cooked together without checking phones"),))
    ]


def test_empty_words_are_not_a_win() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("win")
    chat.text("   ")
    assert chat.where == ("win", "ask")
    assert chat.records == []
