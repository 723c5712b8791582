"""The real `mend chat` in a real (pseudo-)terminal, 40 columns wide, as a person meets it.

Nothing on the screen but the conversation: wrapped between words to the window, no log
line although a key is made on the first run (and says so, in the log file), the place kept
across a restart and said, and the export written to a folder the chat names.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.core import content

COLUMNS = 40
WAIT = 60.0  # start-up imports the coach and its language checks
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


def flat(text: str) -> str:
    return " ".join(text.split())


class Terminal:
    """One `mend chat --as NAME` on a pty of COLUMNS columns."""

    def __init__(self, data_dir: Path, person: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "MEND_SECRET_KEY", "COLUMNS", "LINES", "LOG_LEVEL")
        }
        env.update({"MEND_DATA_DIR": str(data_dir), "MEND_LANGUAGE_MODEL": "false"})
        env["TERM"] = "dumb"
        script = Path(sys.executable).with_name("mend")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
        self.process = subprocess.Popen(
            [*command, "chat", "--as", person],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=data_dir,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.screen = ""  # everything shown so far, escape codes and \r removed
        self.mark = 0

    def _read(self, until: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the other side closed
            return False
        if not chunk:
            return False
        self.screen += ANSI.sub("", chunk.decode("utf-8", "replace")).replace("\r", "")
        return True

    def expect(self, text: str) -> str:
        """Wait until `text` shows (however it was wrapped); what came since the last one."""
        until = time.monotonic() + WAIT
        while flat(text) not in flat(self.screen[self.mark :]):
            if not self._read(until) and time.monotonic() >= until:
                raise AssertionError(f"never showed: {text!r}\n---\n{self.screen[self.mark :]}")
        shown, self.mark = self.screen[self.mark :], len(self.screen)
        return shown

    def _prompt(self) -> None:
        """Keys go in once the prompt shows, as a person would type them (typed ahead, the
        pty echoes them before the line editor takes over)."""
        prompt = content.text("console", "you")
        until = time.monotonic() + WAIT
        while not self.screen.endswith(prompt):
            if not self._read(until) and time.monotonic() >= until:
                raise AssertionError(f"no prompt\n---\n{self.screen[self.mark :]}")

    def type(self, line: str) -> None:
        self._prompt()
        os.write(self.master, line.encode() + b"\r")

    def leave(self) -> str:
        """Ctrl-D on an empty line, as a person leaves."""
        self._prompt()
        os.write(self.master, b"\x04")
        said = self.expect(content.text("console", "bye"))
        assert self.process.wait(timeout=WAIT) == 0
        return said

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def open_chat(tmp_path: Path) -> Iterator[type[Terminal]]:
    opened: list[Terminal] = []

    class Opened(Terminal):
        def __init__(self, data_dir: Path, person: str) -> None:
            super().__init__(data_dir, person)
            opened.append(self)

    yield Opened
    for terminal in opened:
        terminal.close()


def test_ana_in_a_narrow_terminal_from_first_words_to_a_restart(
    open_chat: type[Terminal], tmp_path: Path
) -> None:
    ana = open_chat(tmp_path, "ana")
    first = ana.expect(content.text("onboarding.intro"))
    assert content.text("console", "hello").split()[0] in first
    for answer, then in [
        ("1", "onboarding.consent"),
        ("1", "onboarding.role"),
        ("1", "safecheck.ask"),
        ("1", "moment.offer"),
        ("2", "moment.no"),
        ("/hurt", "hurt.what"),
        ("He said he was at work, and he was not", "hurt.landed"),
    ]:
        ana.type(answer)
        ana.expect(content.text(then))
    ana.leave()
    screen = ana.screen

    ana = open_chat(tmp_path, "ana")
    back = ana.expect(content.text("hurt.landed"))
    assert flat(content.text("console", "back_in_step")) in flat(back)
    ana.type("/export")
    saved = tmp_path / "mend-files" / "ana" / "mend-export.json"
    ana.expect(content.text("console", "saved", file=str(saved)))
    assert saved.exists()
    ana.leave()

    screen += ana.screen
    assert "WARNING" not in screen and "MEND_SECRET_KEY" not in screen, "no log line on screen"
    assert "MEND_SECRET_KEY is not set" in (tmp_path / "mend.log").read_text("utf-8")
    you = content.text("console", "you").strip()
    for line in screen.split("\n"):
        if line.startswith(you):
            continue  # what the person typed: the terminal's own to show
        assert len(line) <= COLUMNS or len(line.split()) == 1, f"wider than the window: {line!r}"
    said = flat(screen)
    for piece in ("onboarding.intro", "onboarding.consent", "hurt.landed"):
        assert flat(content.text(piece)) in said, "every word whole, wrapped only between"
