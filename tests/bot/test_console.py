"""The terminal chat, told as the person at the keyboard sees it."""

from __future__ import annotations

import io
import json
import logging
import re
import stat
from pathlib import Path

import pytest

from bot.console import Shown, chat, files_folder, parse, render, wrap
from bot.service import Mend
from flows import coach
from flows.core import content
from flows.core.contract import Choice, Command, Option, Reply, Text
from tests.conftest import FakeClock

ONBOARD = "1\n1\n1\n1\n2\n"  # I understand, keep my words, I was hurt, I feel safe, not now


def run(
    mend: Mend,
    script: str,
    person: str = "local",
    *,
    greet: bool = False,
    width: int | None = None,
    folder: Path | None = None,
) -> str:
    out = io.StringIO()
    code = chat(
        mend,
        person=person,
        stdin=io.StringIO(script),
        stdout=out,
        greet=greet,
        width=width,
        folder=folder,
    )
    assert code == 0
    return out.getvalue()


def flat(text: str) -> str:
    """The words in order, whatever the line breaks."""
    return " ".join(text.split())


def test_parse_commands_and_text() -> None:
    assert parse("/start\n") == Command("start")
    assert parse("/Hurt@mend_bot extra words") == Command("hurt", "extra words")
    assert parse("2\n") == Text("2")
    assert parse("/ not a command") == Text("/ not a command")


def test_render_marks_the_options_a_typed_mark_picks() -> None:
    reply = Reply("Pick one", (Option("a.b.c", "First"), Option("a.b.d", "Second")))
    assert render(reply, shown=Shown(reply.options)) == "Pick one\n  1. First\n  2. Second"
    lettered = Shown(reply.options, lettered=True)
    assert render(reply, shown=lettered) == "Pick one\n  a. First\n  b. Second"
    assert render(reply) == "Pick one\n  - First\n  - Second", "an earlier list: no marks"


# --- numbered options never collide with what is typed -------------------------------------


def test_a_number_picks_an_option_only_while_options_are_shown() -> None:
    shown = (Option("idle.x.hurt", "Name what hurt"), Option("idle.x.help", "Help"))
    assert parse("2\n", shown) == Choice("idle.x.help")
    assert parse("3\n", shown) == Text("3"), "not an option here: the words as typed"
    assert parse("2\n") == Text("2")


def test_where_numbers_are_answers_the_options_carry_letters() -> None:
    times = (Option("rituals.time.0800", "08:00"), Option("rituals.time.2100", "21:00"))
    shown = Shown(times, lettered=True)
    assert parse("b\n", shown) == Choice("rituals.time.2100")
    assert parse("B\n", shown) == Choice("rituals.time.2100")
    assert parse("2\n", shown) == Text("2"), "a number is the hour typed"
    assert parse("c\n", shown) == Text("c")


def test_the_start_menu_opens_by_number(mend: Mend) -> None:
    """Found by a person in the terminal: the menu came back forever."""
    out = run(mend, "/start\n" + ONBOARD + "hello\n1\n")
    assert content.text("hurt.what") in out, "1 on the menu opens its first step"


def test_a_ritual_time_is_a_letter_or_a_typed_hour(mend: Mend) -> None:
    """Found by a person in the terminal: picking "4. 21:00" set 04:00. Now the times are
    lettered, "d" is 21:00, and a typed "7" is seven o'clock, as on Telegram."""
    run(mend, "/start\n" + ONBOARD)
    out = run(mend, "/rituals\nUTC+2\n1\n1\n2\n")
    asked = out.split(content.text("rituals.time"))[-1]
    assert "  d. 21:00" in asked and "  4. 21:00" not in asked
    out = run(mend, "d\n1\n")
    assert "21:00" in out.split(content.text("rituals.time"))[-1]
    out = run(mend, "/rituals\n1\n2\n7\n1\n")
    assert "07:00" in out and "01:00" not in out


# --- wrapped at word boundaries ----------------------------------------------------------------


def test_a_long_line_breaks_between_words_and_never_inside_a_url() -> None:
    url = "https://example.org/a-very-long-path/that-goes-on-and-on-past-any-narrow-width"
    text = f"Write to them at {url} when you are ready, not before."
    lines = wrap(text, 30).split("\n")
    assert url in lines, "the URL stays whole on a line of its own"
    assert all(len(line) <= 30 for line in lines if line != url)
    assert flat("\n".join(lines)) == flat(text)


def test_blank_lines_and_list_items_keep_their_shape() -> None:
    text = "First part.\n\n  1. A long option label that needs a second line here\n- a bullet"
    lines = wrap(text, 24).split("\n")
    assert lines[1] == "", "the blank line stays"
    assert lines[2].startswith("  1. ") and lines[3].startswith("     "), "hangs under its text"
    assert lines[-1] == "- a bullet"


def test_in_a_narrow_terminal_every_reply_is_whole_words(mend: Mend) -> None:
    """Ana's terminal is 40 columns: no line is wider, and no word is cut in half."""
    out = run(mend, "/start\n1\n", width=40)
    for line in out.split("\n"):
        assert len(line) <= 40, line
    said = flat(out.replace(content.text("console", "mend"), ""))
    assert flat(content.text("onboarding.intro")) in said
    assert flat(content.text("onboarding.consent")) in said


# --- no log line inside the chat ---------------------------------------------------------------


def test_the_transitions_library_never_warns_into_the_chat(
    mend: Mend, caplog: pytest.LogCaptureFixture
) -> None:
    """Even where logging was never set up, the library's "can't trigger" warning (Mend
    answers such input itself) is held back before any handler, the screen's included."""
    logging.getLogger("transitions.core").warning("Can't trigger event text from state review!")
    run(mend, "/start\n1\nyes\n")
    assert "Can't trigger" not in caplog.text


# --- where you were ----------------------------------------------------------------------------


def test_someone_new_is_welcomed(mend: Mend) -> None:
    out = run(mend, "", person="ana", greet=True)
    assert content.text("console", "hello") in out
    assert content.text("onboarding.intro") in out
    assert content.text("console", "back") not in out


def test_after_a_restart_ana_is_told_where_she_was(mend: Mend) -> None:
    """Ana leaves in the middle of naming a hurt; when she comes back, the chat says welcome
    back and asks the question she was on, and her next words answer it."""
    run(mend, ONBOARD + "/hurt\nHe lied to me for months\n", person="ana", greet=True)
    out = run(mend, "like the floor gave way\n", person="ana", greet=True)
    before, after = out.split(content.text("console", "back_in_step"), 1)
    assert content.text("console", "hello") in before
    assert after.index(content.text("hurt.landed")) < after.index(content.text("hurt.broke"))


def test_between_steps_the_welcome_back_shows_the_menu(mend: Mend) -> None:
    run(mend, ONBOARD, person="ana", greet=True)
    out = run(mend, "1\n", person="ana", greet=True)
    assert content.text("console", "back") + "\n\n" + coach.idle_menu().text in out
    assert content.text("console", "back_in_step") not in out
    assert content.text("hurt.what") in out, "the menu's numbers work at once"


def test_showing_where_someone_was_writes_nothing(mend: Mend) -> None:
    assert mend.returning("console", "nobody") is None
    assert not mend.store.load("console", "nobody", mend.clock(), create=False).stored


# --- files Mend sends --------------------------------------------------------------------------


def test_export_is_saved_to_a_folder_the_chat_names(mend: Mend, tmp_path: Path) -> None:
    """In the terminal /export cannot arrive as a file in the chat: it is written for Ana
    alone, in a folder of her own, and the chat says exactly where."""
    folder = files_folder(tmp_path / "data", "ana")
    out = run(mend, ONBOARD + "/export\n", person="ana", greet=True, folder=folder)
    saved = tmp_path / "data" / "mend-files" / "ana" / "mend-export.json"
    assert content.text("console", "saved", file=str(saved)) in out
    assert json.loads(saved.read_text("utf-8"))["person"]["consented"] is True
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(saved.parent.parent.stat().st_mode) == 0o700


def test_the_progress_picture_is_saved_beside_the_export(
    mend: Mend, clock: FakeClock, tmp_path: Path
) -> None:
    """After three days of check-ins, /progress draws a picture; the terminal cannot show
    it, so it is saved as a PNG and the chat says where."""
    folder = files_folder(tmp_path, "ana")
    run(mend, ONBOARD, person="ana", greet=True)
    for score in ("2", "3", "4"):
        run(mend, f"/checkin\n{score}\n1\n", person="ana")
        clock.advance(days=1)
    out = run(mend, "/progress\n", person="ana", folder=folder)
    picture = folder / "progress.png"
    assert content.text("console", "saved", file=str(picture)) in out
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert stat.S_IMODE(picture.stat().st_mode) == 0o600


def test_a_name_typed_after_as_stays_inside_the_files_folder(tmp_path: Path) -> None:
    assert files_folder(tmp_path, "../../etc") == tmp_path / "mend-files" / "etc"
    assert files_folder(tmp_path, "..") == tmp_path / "mend-files" / "local"


# --- what the chat says about itself ----------------------------------------------------------


def test_blank_lines_are_skipped_when_scripted(mend: Mend) -> None:
    out = run(mend, "\n\n/help\n\n")
    assert out.count(content.text("console", "mend")) == 1


def test_a_turn_that_fails_is_apologised_for_and_the_chat_goes_on(
    mend: Mend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    words = "He lied to me for months"
    run(mend, ONBOARD + "/hurt\n")
    real = coach.handle
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError(words)  # an exception's message may quote what was written
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(coach, "handle", flaky)
    out = run(mend, f"{words}\n{words}\n")
    assert content.text("global", "error_apology") in out
    assert out.index(content.text("hurt.what")) < out.index(content.text("hurt.landed"))
    assert "RuntimeError" in caplog.text and "lied" not in caplog.text


def test_the_terminal_copy_never_says_tap() -> None:
    """Every step speaks to both channels: "choose", never "tap"."""
    folder = Path(content.__file__).parent.parent / "content"
    for path in [folder / "en.toml", *sorted((folder / "en").glob("*.toml"))]:
        found = re.findall(r"\btap(?:s|ped)?\b", path.read_text("utf-8"), re.IGNORECASE)
        assert not found, path.name


class _Screen(io.StringIO):
    """Standard output as a terminal window (what the quick exit can clear)."""

    def isatty(self) -> bool:
        return True


def test_the_quick_exit_clears_the_window_and_its_scrollback(mend: Mend) -> None:
    out = _Screen()
    chat(mend, person="robin", stdin=io.StringIO(ONBOARD + "/exit\n"), stdout=out, greet=False)
    said = out.getvalue()
    assert "\033[3J" in said, "the scrollback is cleared, not only the visible screen"
    after = said.rsplit("\033[2J", 1)[1]
    assert flat(content.text("exit", "cleared")) in flat(after)
    assert "keep my words" not in after.lower(), "nothing from before is left under it"


def test_delete_removes_the_files_the_chat_saved_too(mend: Mend, tmp_path: Path) -> None:
    folder = files_folder(tmp_path / "data", "robin")
    run(mend, ONBOARD + "/export\n", person="robin", folder=folder)
    assert (folder / "mend-export.json").exists()
    out = run(mend, "/delete\n1\n", person="robin", folder=folder)
    assert not folder.exists(), "the export written here is gone with everything else"
    assert flat(content.text("console", "files_erased")) in flat(out)
