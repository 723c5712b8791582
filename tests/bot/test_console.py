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


def test_a_number_picks_an_option_only_while_options_are_shown() -> None:
    from flows.core.contract import Choice

    shown = (Option("rituals.time.0800", "08:00"), Option("rituals.time.2100", "21:00"))
    assert parse("2\n", shown) == Choice("rituals.time.2100")
    assert parse("3\n", shown) == Text("3"), "not an option here: the words as typed"
    assert parse("2\n") == Text("2")


def test_the_start_menu_and_a_time_option_work_by_number(mend: Mend) -> None:
    """Found by a person in the terminal: the menu came back forever, and "4. 21:00" set 04:00."""
    out = run(mend, "/start\n1\n1\n3\n1\n2\nhello\n1\n")
    assert content.text("hurt.what") in out, "1 on the menu opens its first step"
    out = run(mend, "/cancel\n/rituals\nBerlin\n1\n1\n1\n4\n1\n", person="local")
    assert "21:00" in out.split("At what time?")[-1]


def test_export_in_the_terminal_writes_the_file_for_the_owner_alone(
    mend: Mend, tmp_path: object
) -> None:
    import json
    import stat
    from pathlib import Path

    folder = Path(str(tmp_path))
    out = io.StringIO()
    script = io.StringIO("/start\n1\n1\n3\n1\n2\n/export\n")
    assert chat(mend, person="local", stdin=script, stdout=out, folder=folder) == 0
    saved = folder / "mend-export.json"
    assert f"[saved to {saved}]" in out.getvalue()
    assert json.loads(saved.read_text("utf-8"))["person"]["consented"] is True
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
