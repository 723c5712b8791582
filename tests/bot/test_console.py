from __future__ import annotations

import io

from bot.console import chat, parse, render
from bot.service import Mend
from flows.core import content
from flows.core.contract import Command, Option, Reply, Text


def run(mend: Mend, script: str, person: str = "local") -> str:
    out = io.StringIO()
    assert chat(mend, person=person, stdin=io.StringIO(script), stdout=out) == 0
    return out.getvalue()


def test_parse_commands_and_text() -> None:
    assert parse("/start\n") == Command("start")
    assert parse("/Hurt@mend_bot extra words") == Command("hurt", "extra words")
    assert parse("2\n") == Text("2")
    assert parse("/ not a command") == Text("/ not a command")


def test_render_numbers_the_options() -> None:
    reply = Reply("Pick one", (Option("a.b.c", "First"), Option("a.b.d", "Second")))
    assert render(reply) == "Pick one\n  1. First\n  2. Second"


def test_a_scripted_session_onboards_and_names_a_hurt(mend: Mend) -> None:
    out = run(mend, "/start\n1\n1\n1\n1\n2\n/hurt\nThey hid the messages\n1\n1\n1\n")
    assert "1. I understand" in out
    assert content.text("hurt.saved") in out


def test_the_place_is_kept_between_sessions(mend: Mend) -> None:
    run(mend, "/start\n1\n1\n3\n1\n2\n/hurt\nthe first part\n")
    out = run(mend, "it landed hard\n")
    assert content.text("hurt.broke") in out, "the second session continues the step"


def test_blank_lines_are_skipped_when_scripted(mend: Mend) -> None:
    out = run(mend, "\n\n/help\n\n")
    assert out.count("mend>") == 1
